//! The template functions peerlint evaluates offline, one file per family of Microsoft's
//! template-function reference. Names arrive lower-cased. A function returns `Err(message)` for
//! a call ARM would reject (wrong arity, wrong types); the caller reports it at the expression.
//! Functions whose value only Azure knows return unknown.
//!
//! [`TABLE`] lists every function: its arity, what an unknown argument does to it, and its
//! body. Adding a function is one line there plus its body in the family's file.
//!
//! `if`, `and`, `or`, `coalesce` and the lambda functions (`filter`, `map`, `reduce`, …) are
//! evaluated in `eval.rs`, which sees their unevaluated arguments (`Lazy` in the table).
//!
//! A function given an unknown argument returns unknown, never an error about it (the
//! arity is still checked); one whose result isn't certain (.NET details Microsoft doesn't
//! document) returns unknown too, with why, rather than a guess.

mod array;
mod cidr;
mod date;
mod deployment;
mod encode;
mod lambda;
mod logic;
mod numeric;
mod object;
mod resource;
mod scope;
mod string;

use std::rc::Rc;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::eval::{Eval, Exceeded, FnResult, arg_texts, first_unknown, symbolic_text};
use super::expr::Range;
use super::value::{Unknown, Val, Value};
use crate::model::Loc;
use Unknowns::{Accept, Lazy, Placeholder, Propagate};

/// What a function body sees of its call.
struct Call<'a> {
    ev: &'a Eval<'a, 'a>,
    /// The function's name as written, for messages and placeholders.
    name: &'a str,
    /// The call in the expression text.
    range: Range,
    /// Where the result is located: the string holding the expression.
    at: Loc,
}

impl Call<'_> {
    fn str(&self, t: &str) -> Value {
        Value::str(t, self.at)
    }
    fn int(&self, n: i64) -> Value {
        Value::new(Val::Int(n), self.at)
    }
    fn bool(&self, b: bool) -> Value {
        Value::new(Val::Bool(b), self.at)
    }
    fn null(&self) -> Value {
        Value::new(Val::Null, self.at)
    }
    fn array(&self, items: Vec<Value>) -> Value {
        Value::array(items, self.at)
    }
    fn object(&self, members: Vec<(Rc<str>, Value)>) -> Value {
        Value::object(members, self.at)
    }
    /// The (unknown) result of a call that needed the unknown `u`: its reason, no placeholder
    /// (the result is another value).
    fn unknown_from(&self, u: &Unknown) -> Value {
        Value::unknown_from(u, None, self.at)
    }
    /// Whether a result of about `bytes` may be built (see [`crate::arm::eval::Scope::room`]):
    /// to ask before building something big. Err: the invalid value standing for it, the
    /// error reported.
    fn room(&self, bytes: usize) -> Result<(), Value> {
        self.ev
            .scope()
            .room(bytes as u64)
            .map_err(|x| self.exceeded(x))
    }
    /// Reports that the result would exceed the limit `x`; the invalid value standing for it.
    fn exceeded(&self, x: Exceeded) -> Value {
        self.ev.exceeded(self.range, x, self.name)
    }
    /// An unknown result for a reason of the call's own.
    fn unknown(&self, why: impl std::fmt::Display) -> Value {
        Value::unknown(format!("`{}()` {why}", self.name), None, self.at)
    }
}

/// A function's body: the arguments, already evaluated and of an arity the table allows.
type Body = fn(&Call<'_>, &[Value]) -> FnResult;

/// What an unknown argument does to a call. The arity is always checked first: a call ARM
/// rejects for its number of arguments is reported whatever the arguments are.
#[derive(Clone, Copy)]
enum Unknowns {
    /// The result is unknown too.
    Propagate,
    /// The body takes unknown arguments itself (placeholders, containers, names).
    Accept,
    /// As `Propagate`, except that when an argument is an unknown with a placeholder, the
    /// result keeps a placeholder: the text this computes from the arguments and their texts
    /// (None: a plain unknown).
    Placeholder(fn(&[Value], &[String]) -> Option<String>),
    /// Evaluated in `eval.rs`, which sees the unevaluated arguments: `if`, `and`, `or` and
    /// `coalesce` (only the arguments that decide are evaluated) and the lambda functions.
    Lazy,
}

/// One template function.
struct Def {
    /// Lower-case.
    name: &'static str,
    min: usize,
    /// `MANY`: no limit.
    max: usize,
    unknowns: Unknowns,
    run: Body,
}

const fn def(name: &'static str, min: usize, max: usize, unknowns: Unknowns, run: Body) -> Def {
    Def {
        name,
        min,
        max,
        unknowns,
        run,
    }
}

const MANY: usize = usize::MAX;

/// Every function peerlint knows, sorted by name (and looked up by name in a hash map): those of
/// Microsoft's template function reference, those Bicep emits that the reference doesn't list
/// (`buildUri`, `parseUri`, `fail`, `roleDefinitions`, the zone functions), and Bicep's
/// compile-time `load*` functions. `list*` functions are not listed: the reference defines
/// them as any name starting with `list` (see [`unlisted`]). Arities are the reference's.
#[rustfmt::skip]
static TABLE: &[Def] = &[
    def("add",                       2, 2,    Propagate, numeric::add),
    def("and",                       2, MANY, Lazy,      lazy),
    def("array",                     1, 1,    Propagate, array::array),
    def("base64",                    1, 1,    Propagate, encode::base64),
    def("base64tojson",              1, 1,    Propagate, encode::base64_to_json),
    def("base64tostring",            1, 1,    Propagate, encode::base64_to_string),
    def("bool",                      1, 1,    Propagate, logic::bool),
    def("builduri",                  1, 1,    Propagate, encode::build_uri),
    def("cidrhost",                  2, 2,    Propagate, cidr::cidr_host),
    def("cidrsubnet",                3, 3,    Propagate, cidr::cidr_subnet),
    def("coalesce",                  1, MANY, Lazy,      lazy),
    def("concat",                    1, MANY, Accept,    string::concat),
    def("contains",                  2, 2,    Propagate, array::contains),
    def("copyindex",                 0, 2,    Accept,    numeric::copy_index),
    def("createarray",               0, MANY, Accept,    array::create_array),
    def("createobject",              0, MANY, Accept,    object::create_object),
    def("datauri",                   1, 1,    Propagate, encode::data_uri),
    def("datauritostring",           1, 1,    Propagate, encode::data_uri_to_string),
    def("datetimeadd",               2, 3,    Propagate, date::date_time_add),
    def("datetimefromepoch",         1, 1,    Propagate, date::date_time_from_epoch),
    def("datetimetoepoch",           1, 1,    Propagate, date::date_time_to_epoch),
    def("deployer",                  0, 0,    Accept,    deployment::deployer),
    def("deployment",                0, 0,    Accept,    deployment::deployment),
    def("div",                       2, 2,    Propagate, numeric::div),
    def("empty",                     1, 1,    Propagate, array::empty),
    def("endswith",                  2, 2,    Propagate, string::ends_with),
    def("environment",               0, 0,    Accept,    deployment::environment),
    def("equals",                    2, 2,    Propagate, logic::equals),
    def("extensionresourceid",       3, MANY, Accept,    resource::extension_resource_id),
    def("fail",                      1, 1,    Accept,    logic::fail),
    def("false",                     0, 0,    Accept,    logic::false_),
    def("filter",                    2, 2,    Lazy,      lazy),
    def("first",                     1, 1,    Propagate, array::first),
    def("flatten",                   1, 1,    Propagate, array::flatten),
    def("float",                     1, 1,    Propagate, numeric::float),
    def("format",                    1, MANY, Accept,    string::format),
    def("greater",                   2, 2,    Propagate, logic::greater),
    def("greaterorequals",           2, 2,    Propagate, logic::greater_or_equals),
    def("groupby",                   2, 2,    Lazy,      lazy),
    def("guid",                      1, MANY, Accept,    string::guid),
    def("if",                        3, 3,    Lazy,      lazy),
    def("indexfromend",              2, 2,    Propagate, array::index_from_end),
    def("indexof",                   2, 2,    Propagate, array::index_of),
    def("int",                       1, 1,    Propagate, numeric::int),
    def("intersection",              2, MANY, Propagate, array::intersection),
    def("items",                     1, 1,    Propagate, object::items),
    def("join",                      2, 2,    Propagate, string::join),
    def("json",                      1, 1,    Propagate, object::json),
    def("lambda",                    2, MANY, Accept,    lambda::lambda),
    def("lambdavariables",           1, 1,    Lazy,      lazy),
    def("last",                      1, 1,    Propagate, array::last),
    def("lastindexof",               2, 2,    Propagate, array::last_index_of),
    def("length",                    1, 1,    Propagate, array::length),
    def("less",                      2, 2,    Propagate, logic::less),
    def("lessorequals",              2, 2,    Propagate, logic::less_or_equals),
    def("loadfileasbase64",          0, MANY, Accept,    compile_time),
    def("loadjsoncontent",           0, MANY, Accept,    compile_time),
    def("loadtextcontent",           0, MANY, Accept,    compile_time),
    def("managementgroup",           0, 1,    Accept,    scope::management_group),
    def("managementgroupresourceid", 2, MANY, Accept,    resource::management_group_resource_id),
    def("map",                       2, 2,    Lazy,      lazy),
    def("mapvalues",                 2, 2,    Lazy,      lazy),
    def("max",                       1, MANY, Propagate, numeric::max),
    def("min",                       1, MANY, Propagate, numeric::min),
    def("mod",                       2, 2,    Propagate, numeric::mod_),
    def("mul",                       2, 2,    Propagate, numeric::mul),
    def("newguid",                   0, 0,    Accept,    string::new_guid),
    def("not",                       1, 1,    Propagate, logic::not),
    def("null",                      0, 0,    Accept,    object::null),
    def("objectkeys",                1, 1,    Propagate, object::object_keys),
    def("or",                        2, MANY, Lazy,      lazy),
    def("padleft",                   2, 3,    Propagate, string::pad_left),
    def("parameters",                1, 1,    Accept,    deployment::parameters),
    def("parsecidr",                 1, 1,    Propagate, cidr::parse_cidr),
    def("parseuri",                  1, 1,    Propagate, encode::parse_uri),
    def("pickzones",                 3, 5,    Accept,    resource::pick_zones),
    def("providers",                 1, 2,    Accept,    resource::providers),
    def("range",                     2, 2,    Propagate, array::range),
    def("reduce",                    3, 3,    Lazy,      lazy),
    def("reference",                 1, 3,    Accept,    resource::reference),
    def("references",                1, 2,    Accept,    resource::references),
    def("replace",                   3, 3,    Placeholder(string::replace_text), string::replace),
    def("resourcegroup",             0, 0,    Accept,    scope::resource_group),
    def("resourceid",                2, MANY, Accept,    resource::resource_id),
    def("roledefinitions",           1, 1,    Accept,    resource::role_definitions),
    def("shallowmerge",              1, 1,    Propagate, object::shallow_merge),
    def("skip",                      2, 2,    Propagate, array::skip),
    def("sort",                      2, 2,    Lazy,      lazy),
    def("split",                     2, 2,    Accept,    string::split),
    def("startswith",                2, 2,    Propagate, string::starts_with),
    def("string",                    1, 1,    Placeholder(string::string_text), string::string),
    def("sub",                       2, 2,    Propagate, numeric::sub),
    def("subscription",              0, 0,    Accept,    scope::subscription),
    def("subscriptionresourceid",    2, MANY, Accept,    resource::subscription_resource_id),
    def("substring",                 1, 3,    Propagate, string::substring),
    def("take",                      2, 2,    Propagate, array::take),
    def("tenant",                    0, 0,    Accept,    scope::tenant),
    def("tenantresourceid",          2, MANY, Accept,    resource::tenant_resource_id),
    def("tologicalzone",             3, 3,    Accept,    resource::zones),
    def("tologicalzones",            3, 3,    Accept,    resource::zones),
    def("tolower",                   1, 1,    Accept,    string::to_lower),
    def("toobject",                  2, 3,    Lazy,      lazy),
    def("tophysicalzone",            3, 3,    Accept,    resource::zones),
    def("tophysicalzones",           3, 3,    Accept,    resource::zones),
    def("toupper",                   1, 1,    Accept,    string::to_upper),
    def("trim",                      1, 1,    Placeholder(string::trim_text), string::trim),
    def("true",                      0, 0,    Accept,    logic::true_),
    def("tryget",                    2, MANY, Accept,    object::try_get),
    def("tryindexfromend",           2, 2,    Accept,    array::try_index_from_end),
    def("union",                     2, MANY, Propagate, array::union),
    def("uniquestring",              1, MANY, Accept,    string::unique_string),
    def("uri",                       2, 2,    Propagate, encode::uri),
    def("uricomponent",              1, 1,    Propagate, encode::uri_component),
    def("uricomponenttostring",      1, 1,    Propagate, encode::uri_component_to_string),
    def("utcnow",                    0, 1,    Accept,    date::utc_now),
    def("variables",                 1, 1,    Accept,    deployment::variables),
];

/// A name's byte with bit 0x20 set: for the bytes of a function name as the parser reads it
/// (ASCII letters, digits, `_`, `$`, `.`), that is exactly ASCII lower-casing (a letter's case
/// is that bit; the other bytes have it already, or, `_`, become a byte no name holds). Names
/// are compared and hashed this way without being lower-cased into a buffer first.
fn fold(b: u8) -> u8 {
    b | 0x20
}

/// A key of a name that is the same in any case (see [`fold`]): its length and five of its
/// bytes (the first two, the middle one, the last two), which tell every name of [`TABLE`]
/// apart (see the tests) at the cost of a few instructions.
fn name_hash(name: &str) -> u64 {
    let b = name.as_bytes();
    let at = |i: usize| u64::from(b.get(i).map_or(0, |&c| fold(c)));
    let n = b.len();
    (n.min(255) as u64)
        | at(0) << 8
        | at(1) << 16
        | at(n / 2) << 24
        | at(n.wrapping_sub(2)) << 32
        | at(n.wrapping_sub(1)) << 40
}

/// Whether a name (as the parser reads it) is `table_name` (lower-case) in some case (see
/// [`fold`]).
fn same_name(name: &str, table_name: &str) -> bool {
    name.len() == table_name.len()
        && name
            .bytes()
            .zip(table_name.bytes())
            .all(|(a, b)| fold(a) == b)
}

/// The table by [`name_hash`] (no two of its names share one: see the tests).
fn by_hash() -> &'static FxHashMap<u64, &'static Def> {
    static BY_HASH: LazyLock<FxHashMap<u64, &'static Def>> =
        LazyLock::new(|| TABLE.iter().map(|d| (name_hash(d.name), d)).collect());
    &BY_HASH
}

/// The function named `f`, in any case.
fn lookup(f: &str) -> Option<&'static Def> {
    by_hash()
        .get(&name_hash(f))
        .copied()
        .filter(|d| same_name(f, d.name))
}

/// A function name looked up in [`TABLE`], once per call written in a template (as it is
/// parsed).
#[derive(Clone, Copy)]
pub struct Func(Option<&'static Def>);

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Func({:?})", self.name())
    }
}

impl PartialEq for Func {
    fn eq(&self, other: &Func) -> bool {
        self.name() == other.name()
    }
}

/// Looks up function `f` (in any case).
pub(super) fn find(f: &str) -> Func {
    Func(lookup(f))
}

impl Func {
    /// The function's (lower-case) name, when peerlint knows it.
    pub(super) fn name(self) -> Option<&'static str> {
        self.0.map(|d| d.name)
    }
    /// Whether the function is evaluated by `eval.rs` from its unevaluated arguments; if so,
    /// whether `n` arguments are an arity ARM accepts.
    pub(super) fn lazy_arity(self, n: usize) -> Option<Result<(), String>> {
        let d = self.0.filter(|d| matches!(d.unknowns, Lazy))?;
        Some(arity(n, d.min, d.max))
    }
}

/// Calls function `f` (lower-case, found as `func`; `name` as written) on evaluated arguments.
pub(super) fn call(
    ev: &Eval<'_, '_>,
    func: Func,
    f: &str,
    name: &str,
    args: &[Value],
    range: Range,
) -> FnResult {
    let cx = Call {
        ev,
        name,
        range,
        at: ev.at(),
    };
    let Some(def) = func.0 else {
        return unlisted(&cx, f, args);
    };
    arity(args.len(), def.min, def.max)?;
    match def.unknowns {
        Accept | Lazy => {}
        Propagate => {
            if let Some(u) = first_unknown(args, cx.at) {
                return Ok(u);
            }
        }
        Placeholder(text) => {
            if args
                .iter()
                .any(|a| a.as_unknown().is_some_and(|u| u.symbol.is_some()))
            {
                return Ok(placeholder(&cx, args, text));
            }
            if let Some(u) = first_unknown(args, cx.at) {
                return Ok(u);
            }
        }
    }
    (def.run)(&cx, args)
}

/// A function not in the table: a `list*` function, a user-defined one (`namespace.name`),
/// or one ARM doesn't have.
fn unlisted(cx: &Call<'_>, f: &str, args: &[Value]) -> FnResult {
    if f.starts_with("list") {
        // `listKeys(resourceName or id, apiVersion, [functionValues])`.
        arity(args.len(), 2, 3)?;
        return resource::list(cx, args);
    }
    if cx.name.contains('.') {
        return Ok(Value::unknown(
            format!(
                "user-defined function `{}` is not evaluated offline",
                cx.name
            ),
            None,
            cx.at,
        ));
    }
    let names = TABLE.iter().map(|d| d.name);
    Err(match crate::suggest::closest(f, names) {
        Some(s) => format!("unknown function; did you mean `{s}`?"),
        None => "unknown function".into(),
    })
}

/// The result of a `Placeholder` function given an argument with a placeholder.
fn placeholder(
    cx: &Call<'_>,
    args: &[Value],
    text: fn(&[Value], &[String]) -> Option<String>,
) -> Value {
    let unknown = || first_unknown(args, cx.at).unwrap();
    let Some(t) = arg_texts(args) else {
        return unknown();
    };
    match text(args, &t) {
        Some(out) => symbolic_text(out, args, cx.at),
        None => unknown(),
    }
}

fn arity(n: usize, min: usize, max: usize) -> Result<(), String> {
    if n < min || n > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(format!(
            "takes {want} argument{}, found {n}",
            if want == "1" { "" } else { "s" },
        ));
    }
    Ok(())
}

/// Why a value is known only to Azure.
const AT_DEPLOYMENT: &str = "it is computed by Azure at deployment";
const LIVE_STATE: &str = "it reads live Azure state";
const CLOUD_AND_TENANT: &str = "it depends on the Azure cloud and tenant deployed to";

/// The call's value exists only at deployment time: unknown, with why, and the placeholder
/// `symbol` when strings built from it should still match.
fn opaque(cx: &Call<'_>, why: &str, symbol: Option<String>) -> FnResult {
    Ok(Value::unknown(
        format!("`{}()` can't be evaluated offline: {why}", cx.name),
        symbol,
        cx.at,
    ))
}

/// A placeholder naming the call and its arguments' texts (`{guid(a,b)}`, `/` as `|`), when
/// they all have a text.
fn call_symbol(cx: &Call<'_>, args: &[Value]) -> Option<String> {
    arg_texts(args).map(|t| format!("{{{}({})}}", cx.name, t.join(",")).replace('/', "|"))
}

/// The body of a `Lazy` entry: never called (`eval.rs` evaluates these).
fn lazy(cx: &Call<'_>, _: &[Value]) -> FnResult {
    Ok(cx.unknown("is evaluated from its unevaluated arguments"))
}

/// Bicep's `load*` functions, which Bicep replaces by the file's content when it compiles.
fn compile_time(cx: &Call<'_>, _: &[Value]) -> FnResult {
    Ok(cx.unknown("is a Bicep compile-time function; the compiled template holds its result"))
}

/// The first unknown part of a value (itself, or an element or member at any depth).
fn unknown_in(v: &Value) -> Option<&Rc<Unknown>> {
    match &v.v {
        Val::Unknown(u) => Some(u),
        Val::Array(a) => a.iter().find_map(unknown_in),
        Val::Object(m) => m.iter().find_map(|(_, x)| unknown_in(x)),
        _ => None,
    }
}

fn want_str<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what} must be a string, found {}", v.v.type_name()))
}

fn want_int(v: &Value, what: &str) -> Result<i64, String> {
    match &v.v {
        Val::Int(n) => Ok(*n),
        other => Err(format!(
            "{what} must be an integer, found {}",
            other.type_name()
        )),
    }
}

fn want_bool(v: &Value, what: &str) -> Result<bool, String> {
    match &v.v {
        Val::Bool(b) => Ok(*b),
        other => Err(format!(
            "{what} must be a boolean, found {}",
            other.type_name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_unique_lower_case_and_sorted_and_arities_sane() {
        let mut seen = std::collections::HashSet::new();
        for d in TABLE {
            assert!(seen.insert(d.name), "`{}` is listed twice", d.name);
            assert_eq!(
                d.name,
                d.name.to_lowercase(),
                "`{}` is not lower-case",
                d.name
            );
            assert!(d.min <= d.max, "`{}` takes {} to {}", d.name, d.min, d.max);
        }
        // `lookup` is a binary search.
        for w in TABLE.windows(2) {
            assert!(
                w[0].name < w[1].name,
                "TABLE must stay sorted: `{}` belongs before `{}`",
                w[1].name,
                w[0].name
            );
        }
    }

    #[test]
    fn lookup_finds_every_table_name_and_nothing_else() {
        assert_eq!(
            by_hash().len(),
            TABLE.len(),
            "two names share a key: `name_hash` must read more of them"
        );
        for d in TABLE {
            assert_eq!(lookup(d.name).map(|x| x.name), Some(d.name));
            let upper = d.name.to_ascii_uppercase();
            assert_eq!(lookup(&upper).map(|x| x.name), Some(d.name));
        }
        assert!(lookup("concatx").is_none());
        assert!(lookup("concaT").is_some());
        // Names as the parser reads them: folding is lower-casing for these bytes only.
        for d in TABLE {
            assert!(
                d.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "`{}`: `folded` compares names of lower-case letters and digits",
                d.name
            );
        }
        assert!(lookup("resource_id").is_none() && lookup("resourceid").is_some());
        assert!(same_name("A1b", "a1b") && !same_name("a_b", "azb") && !same_name("ab", "abc"));
        assert!(lookup("nosuchfunction").is_none());
        assert!(lookup("").is_none());
    }
}
