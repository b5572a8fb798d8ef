fn main() {
    std::process::exit(chiptrace::cli::main());
}
