//! The template functions peerlint evaluates offline, one file per family of Microsoft's
//! template-function reference. Names arrive lower-cased. A function returns `Err(message)` for
//! a call ARM would reject (wrong arity, wrong types); the caller reports it at the expression.
//! Functions whose value only Azure knows return unknown.
//!
//! [`TABLE`] lists every function: its arity, what an unknown argument does to it, and its
//! body. Adding a function is one line there plus its body in the family's file.
//!
//! `if` and the lambda functions (`filter`, `map`, `reduce`, …) are evaluated in `eval.rs`,
//! which sees their unevaluated arguments.

mod array;
mod cidr;
mod date;
mod deployment;
mod lambda;
mod logic;
mod numeric;
mod object;
mod resource;
mod scope;
mod string;

use std::rc::Rc;

use super::eval::{Eval, FnResult, arg_texts, first_unknown, symbolic_text};
use super::expr::Range;
use super::value::{Val, Value};
use crate::model::Loc;
use Unknowns::{Accept, Placeholder, Propagate};

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
}

/// A function's body: the arguments, already evaluated and of an arity the table allows.
type Body = fn(&Call<'_>, &[Value]) -> FnResult;

/// What an unknown argument does to a call.
#[derive(Clone, Copy)]
enum Unknowns {
    /// The result is unknown too. Checked before the arity: a call with an unknown argument
    /// is never reported.
    Propagate,
    /// The body takes unknown arguments itself (placeholders, short-circuits, containers).
    /// The arity is checked first.
    Accept,
    /// As `Propagate`, except that when an argument is an unknown with a placeholder, the
    /// result keeps a placeholder: the text this computes from the arguments and their texts
    /// (None: a plain unknown). Whatever the arity.
    Placeholder(fn(&[Value], &[String]) -> Option<String>),
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

/// Every function peerlint knows, sorted by name (looked up by binary search). `list*`
/// functions are not listed: any name starting with `list` is one (see [`unlisted`]).
#[rustfmt::skip]
static TABLE: &[Def] = &[
    def("add",                       2, 2,    Propagate, numeric::add),
    def("and",                       2, MANY, Accept,    logic::and),
    def("base64",                    0, MANY, Propagate, not_evaluated),
    def("base64tojson",              0, MANY, Propagate, not_evaluated),
    def("base64tostring",            0, MANY, Propagate, not_evaluated),
    def("bool",                      1, 1,    Propagate, logic::bool),
    def("cidrhost",                  2, 2,    Propagate, cidr::cidr_host),
    def("cidrsubnet",                3, 3,    Propagate, cidr::cidr_subnet),
    def("coalesce",                  0, MANY, Accept,    logic::coalesce),
    def("concat",                    0, MANY, Accept,    string::concat),
    def("contains",                  2, 2,    Propagate, array::contains),
    def("copyindex",                 0, 2,    Accept,    numeric::copy_index),
    def("createarray",               0, MANY, Accept,    array::create_array),
    def("createobject",              0, MANY, Accept,    object::create_object),
    def("datauri",                   0, MANY, Propagate, not_evaluated),
    def("datauritostring",           0, MANY, Propagate, not_evaluated),
    def("datetimeadd",               0, MANY, Accept,    date::date_time_add),
    def("datetimefromepoch",         0, MANY, Accept,    date::date_time_from_epoch),
    def("datetimetoepoch",           0, MANY, Accept,    date::date_time_to_epoch),
    def("deployment",                0, 0,    Accept,    deployment::deployment),
    def("div",                       2, 2,    Propagate, numeric::div),
    def("empty",                     1, 1,    Propagate, array::empty),
    def("endswith",                  2, 2,    Propagate, string::ends_with),
    def("environment",               0, MANY, Accept,    deployment::environment),
    def("equals",                    2, 2,    Propagate, logic::equals),
    def("extensionresourceid",       0, MANY, Accept,    resource::extension_resource_id),
    def("false",                     0, 0,    Accept,    logic::false_),
    def("first",                     1, 1,    Propagate, array::first),
    def("flatten",                   1, 1,    Propagate, array::flatten),
    def("format",                    1, MANY, Accept,    string::format),
    def("greater",                   2, 2,    Propagate, logic::greater),
    def("greaterorequals",           2, 2,    Propagate, logic::greater_or_equals),
    def("groupby",                   0, MANY, Accept,    lambda::group_by),
    def("guid",                      0, MANY, Accept,    string::guid),
    def("if",                        3, 3,    Propagate, logic::if_),
    def("indexof",                   2, 2,    Propagate, array::index_of),
    def("int",                       1, 1,    Propagate, numeric::int),
    def("intersection",              1, MANY, Propagate, array::intersection),
    def("items",                     1, 1,    Propagate, object::items),
    def("json",                      1, 1,    Propagate, object::json),
    def("lambda",                    0, MANY, Accept,    lambda::lambda),
    def("last",                      1, 1,    Propagate, array::last),
    def("lastindexof",               2, 2,    Propagate, array::last_index_of),
    def("length",                    1, 1,    Propagate, array::length),
    def("less",                      2, 2,    Propagate, logic::less),
    def("lessorequals",              2, 2,    Propagate, logic::less_or_equals),
    def("loadfileasbase64",          0, MANY, Propagate, not_evaluated),
    def("loadjsoncontent",           0, MANY, Propagate, not_evaluated),
    def("loadtextcontent",           0, MANY, Propagate, not_evaluated),
    def("managementgroup",           0, MANY, Accept,    scope::management_group),
    def("managementgroupresourceid", 0, MANY, Accept,    resource::management_group_resource_id),
    def("max",                       1, MANY, Propagate, numeric::max),
    def("min",                       1, MANY, Propagate, numeric::min),
    def("mod",                       2, 2,    Propagate, numeric::mod_),
    def("mul",                       2, 2,    Propagate, numeric::mul),
    def("newguid",                   0, MANY, Accept,    string::new_guid),
    def("not",                       1, 1,    Propagate, logic::not),
    def("null",                      0, 0,    Accept,    object::null),
    def("or",                        2, MANY, Accept,    logic::or),
    def("padleft",                   0, MANY, Propagate, not_evaluated),
    def("parameters",                1, 1,    Accept,    deployment::parameters),
    def("parsecidr",                 1, 1,    Propagate, cidr::parse_cidr),
    def("pickzones",                 0, MANY, Accept,    resource::pick_zones),
    def("providers",                 0, MANY, Accept,    resource::providers),
    def("range",                     2, 2,    Propagate, array::range),
    def("reference",                 1, 3,    Accept,    resource::reference),
    def("references",                0, MANY, Accept,    resource::references),
    def("replace",                   3, 3,    Placeholder(string::replace_text), string::replace),
    def("resourcegroup",             0, 0,    Accept,    scope::resource_group),
    def("resourceid",                0, MANY, Accept,    resource::resource_id),
    def("shallowmerge",              1, 1,    Propagate, object::shallow_merge),
    def("skip",                      2, 2,    Propagate, array::skip),
    def("sort",                      0, MANY, Accept,    lambda::sort),
    def("split",                     2, 2,    Propagate, string::split),
    def("startswith",                2, 2,    Propagate, string::starts_with),
    def("string",                    1, 1,    Placeholder(string::string_text), string::string),
    def("sub",                       2, 2,    Propagate, numeric::sub),
    def("subscription",              0, 0,    Accept,    scope::subscription),
    def("subscriptionresourceid",    0, MANY, Accept,    resource::subscription_resource_id),
    def("substring",                 2, 3,    Propagate, string::substring),
    def("take",                      2, 2,    Propagate, array::take),
    def("tenant",                    0, MANY, Accept,    scope::tenant),
    def("tenantresourceid",          0, MANY, Accept,    resource::tenant_resource_id),
    def("tolower",                   1, 1,    Accept,    string::to_lower),
    def("toupper",                   1, 1,    Accept,    string::to_upper),
    def("trim",                      1, 1,    Placeholder(string::trim_text), string::trim),
    def("true",                      0, 0,    Accept,    logic::true_),
    def("tryget",                    2, MANY, Accept,    object::try_get),
    def("trygget",                   2, MANY, Accept,    object::try_get),
    def("union",                     1, MANY, Propagate, array::union),
    def("uniquestring",              0, MANY, Accept,    string::unique_string),
    def("uri",                       0, MANY, Propagate, not_evaluated),
    def("uricomponent",              0, MANY, Propagate, not_evaluated),
    def("uricomponenttostring",      0, MANY, Propagate, not_evaluated),
    def("utcnow",                    0, MANY, Accept,    date::utc_now),
    def("variables",                 1, 1,    Accept,    deployment::variables),
];

fn lookup(f: &str) -> Option<&'static Def> {
    TABLE
        .binary_search_by(|d| d.name.cmp(f))
        .ok()
        .map(|i| &TABLE[i])
}

/// Calls function `f` (lower-case; `name` as written) on evaluated arguments.
pub(super) fn call(
    ev: &Eval<'_, '_>,
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
    let Some(def) = lookup(f) else {
        return unlisted(&cx, f, args);
    };
    match def.unknowns {
        Accept => {}
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
    arity(args, def.min, def.max)?;
    (def.run)(&cx, args)
}

/// A function not in the table: a `list*` function, or (unless an argument is unknown) a
/// user-defined one (`namespace.name`), or one ARM doesn't have.
fn unlisted(cx: &Call<'_>, f: &str, args: &[Value]) -> FnResult {
    if f.starts_with("list") {
        return resource::list(cx, args);
    }
    if let Some(u) = first_unknown(args, cx.at) {
        return Ok(u);
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
    Err("unknown function".into())
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

fn arity(args: &[Value], min: usize, max: usize) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(format!(
            "takes {want} argument{}, found {}",
            if want == "1" { "" } else { "s" },
            args.len()
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

/// A function ARM has and peerlint leaves unknown.
fn not_evaluated(cx: &Call<'_>, _: &[Value]) -> FnResult {
    Ok(Value::unknown(
        format!("peerlint does not evaluate `{}()`", cx.name),
        None,
        cx.at,
    ))
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
        for d in TABLE {
            assert_eq!(lookup(d.name).map(|x| x.name), Some(d.name));
        }
        assert!(lookup("nosuchfunction").is_none());
        assert!(lookup("").is_none());
    }
}
