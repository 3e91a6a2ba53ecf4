//! The report is the same bytes whatever the number of threads (issue 14): files are parsed
//! and extracted side by side, in batches, while earlier ones join the graph, and rules run side
//! by side; none of it may show in the output. Compared on the test data and the shared corpus,
//! every file of them in one run (so that batches hold many files, exports among them), in
//! each output format, with 1, 2 and 5 threads.

use std::path::Path;

/// What `peerlint check ARGS` prints (exit code, standard output, standard error), in-process.
fn check(args: &[&str]) -> String {
    let mut argv: Vec<std::ffi::OsString> = vec!["peerlint".into(), "check".into()];
    argv.extend(["--color", "never", "--no-config"].iter().map(Into::into));
    argv.extend(args.iter().map(Into::into));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = peerlint::cli::main_with(argv, &mut std::io::empty(), &mut out, &mut err);
    format!(
        "exit {code}\n{}\n--- stderr\n{}",
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap()
    )
}

#[test]
fn the_report_is_the_same_on_any_number_of_threads() {
    let corpus = "../shared/corpus";
    // The corpus is part of the test set: a run without it must not pass as if it had run.
    assert!(
        Path::new(corpus).is_dir(),
        "../shared/corpus not found: this test reads the shared corpus beside the checkout"
    );
    for paths in [&["testdata"][..], &[corpus], &["testdata/demo"]] {
        for format in ["json", "human", "sarif"] {
            let one = check(&[&["--format", format, "--threads", "1"], paths].concat());
            assert!(
                one.contains("\"diagnostics\"") || format != "json",
                "the run reported nothing: {one}"
            );
            for threads in ["2", "5"] {
                let many = check(&[&["--format", format, "--threads", threads], paths].concat());
                assert!(
                    one == many,
                    "{paths:?} --format {format}: --threads {threads} differs from --threads 1"
                );
            }
        }
    }
}
