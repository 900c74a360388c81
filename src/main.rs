fn main() -> std::process::ExitCode {
    plauder::cli::main()
}
