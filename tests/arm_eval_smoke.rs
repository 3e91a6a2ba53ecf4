use peerlint::arm::{evaluate, Outcome};
#[test]
fn smoke() {
    let (v, e) = evaluate(r#"{"parameters": {"a": {"type": "string", "defaultValue": "x"}}}"#, "[concat(parameters('A'), '-', 'y')]");
    assert_eq!(v, Outcome::Known("x-y".into()));
    assert!(e.is_empty());
    let (v, e) = evaluate("{}", "[concat('a'");
    println!("{v:?} {e:?}");
    let (v, e) = evaluate("{}", "[add(1)]");
    println!("{v:?} {e:?}");
}
