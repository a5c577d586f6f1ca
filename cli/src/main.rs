//! The `galton` command-line tool.

fn main() {}
