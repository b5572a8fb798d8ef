//! Compressed inputs (docs/spec.md §5.3): any case file or list file may carry `.gz`
//! or `.zst` after its name (`records.csv.gz`, `lists/csl.csv.zst`). This
//! module owns the naming rule and the decoders, so that every reader accepts
//! the same suffixes and streams the data instead of inflating it in memory.

use std::io::{self, BufRead, BufReader, Read};

/// How a file's bytes are encoded, read from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    Plain,
    Gzip,
    Zstd,
}

/// The suffixes tried after a case file's name, in the order they are preferred.
pub const SUFFIXES: &[(&str, Codec)] = &[("", Codec::Plain), (".gz", Codec::Gzip), (".zst", Codec::Zstd)];

/// Splits a file name into the name it stands for and its codec:
/// `records.csv.gz` is `records.csv` in gzip, `csl.CSV.ZST` is `csl.CSV` in zstd.
pub fn split_name(name: &str) -> (&str, Codec) {
    let lower = name.to_ascii_lowercase();
    for (suffix, codec) in &SUFFIXES[1..] {
        if lower.ends_with(suffix) && name.len() > suffix.len() {
            return (&name[..name.len() - suffix.len()], *codec);
        }
    }
    (name, Codec::Plain)
}

/// Wraps a reader so that it yields the decoded bytes. Errors in the
/// compressed stream surface as I/O errors on read, naming the codec.
pub fn decode<'a>(codec: Codec, inner: impl BufRead + 'a) -> io::Result<Box<dyn BufRead + 'a>> {
    Ok(match codec {
        Codec::Plain => Box::new(inner),
        // MultiGzDecoder: `cat a.gz b.gz` is a valid gzip file of both members.
        Codec::Gzip => Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(inner))),
        Codec::Zstd => Box::new(BufReader::with_capacity(1 << 16, zstd::stream::read::Decoder::with_buffer(inner)?)),
    })
}

/// The codec a stream's first bytes announce (gzip `1f 8b`, zstd `28 b5 2f fd`),
/// for standard input, which has no name to read it from.
pub fn sniff(head: &[u8]) -> Codec {
    if head.starts_with(&[0x1f, 0x8b]) {
        Codec::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Codec::Zstd
    } else {
        Codec::Plain
    }
}

/// Opens one input file named on the command line, decoded: `-` is standard
/// input (its codec sniffed from the first bytes), a name ending in `.gz` or
/// `.zst` is decompressed as it streams.
pub fn open_input(path: &std::path::Path) -> io::Result<Box<dyn BufRead + Send>> {
    if path.as_os_str() == "-" {
        let mut r = BufReader::with_capacity(1 << 16, io::stdin());
        let codec = sniff(r.fill_buf()?);
        return decode_send(codec, r);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (_, codec) = split_name(&name);
    decode_send(codec, BufReader::with_capacity(1 << 16, std::fs::File::open(path)?))
}

fn decode_send<R: BufRead + Send + 'static>(codec: Codec, inner: R) -> io::Result<Box<dyn BufRead + Send>> {
    Ok(match codec {
        Codec::Plain => Box::new(inner),
        Codec::Gzip => Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(inner))),
        Codec::Zstd => Box::new(BufReader::with_capacity(1 << 16, zstd::stream::read::Decoder::with_buffer(inner)?)),
    })
}

/// Decodes bytes held in memory, refusing to produce more than `limit` bytes
/// (a small compressed file can inflate without bound).
pub fn decode_bytes(codec: Codec, bytes: &[u8], limit: u64) -> io::Result<Vec<u8>> {
    if codec == Codec::Plain {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    let mut r = decode(codec, bytes)?.take(limit.saturating_add(1));
    r.read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("decompresses to more than {limit} bytes; refused"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn names_split_at_the_codec_suffix() {
        assert_eq!(split_name("records.csv.gz"), ("records.csv", Codec::Gzip));
        assert_eq!(split_name("csl.CSV.ZST"), ("csl.CSV", Codec::Zstd));
        assert_eq!(split_name("records.csv"), ("records.csv", Codec::Plain));
        assert_eq!(split_name(".gz"), (".gz", Codec::Plain));
    }

    #[test]
    fn gzip_and_zstd_round_trip_and_bombs_are_refused() {
        let text = b"id,name\nE1,Acme\n".repeat(100);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        let zs = zstd::encode_all(&text[..], 3).unwrap();
        assert_eq!(decode_bytes(Codec::Gzip, &gz, 1 << 20).unwrap(), text);
        assert_eq!(decode_bytes(Codec::Zstd, &zs, 1 << 20).unwrap(), text);
        assert!(decode_bytes(Codec::Zstd, &zs, 100).is_err());
        assert!(decode_bytes(Codec::Gzip, b"not gzip", 100).is_err());
    }
}
