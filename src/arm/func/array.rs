//! Array functions, and those Microsoft lists for strings and objects too (`length`,
//! `contains`, `first`, `take`, `union`, …). Strings are measured and cut in UTF-16 code units,
//! as .NET (and so Resource Manager) counts them.

use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::string::{fold_case, utf16_slice};
use super::{Call, unknown_in, want_int};
use crate::arm::eval::FnResult;
use crate::arm::value::{NODE_BYTES, Val, Value};

pub(super) fn create_array(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.array(args.to_vec()))
}

/// `array(x)`: an array as it is, anything else as a one-element array.
pub(super) fn array(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(match &args[0].v {
        Val::Array(_) => args[0].clone().relocated(cx.at),
        _ => cx.array(vec![args[0].clone()]),
    })
}

pub(super) fn length(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.int(size(&args[0])?))
}

pub(super) fn empty(cx: &Call<'_>, args: &[Value]) -> FnResult {
    Ok(cx.bool(matches!(args[0].v, Val::Null) || size(&args[0])? == 0))
}

/// The length of a string (in UTF-16 code units), array or object.
fn size(v: &Value) -> Result<i64, String> {
    Ok(match &v.v {
        Val::Str(t) => t.encode_utf16().count() as i64,
        Val::Array(a) => a.len() as i64,
        Val::Object(m) => m.len() as i64,
        other => {
            return Err(format!(
                "needs a string, array or object, found {}",
                other.type_name()
            ));
        }
    })
}

/// `contains`: a substring (case-sensitive), an element (by value), or an object's key
/// (ignoring case). Unknown when an element that might be equal is unknown, or when a
/// deployed resource's view lacks the key (Azure may add it).
pub(super) fn contains(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let (container, item) = (&args[0], &args[1]);
    match &container.v {
        Val::Str(a) => match &item.v {
            Val::Str(_) | Val::Int(_) => {
                Ok(cx.bool(a.contains(item.to_text().unwrap_or_default().as_str())))
            }
            other => Ok(cx.unknown(format!(
                "of {} in a string is not documented",
                other.type_name()
            ))),
        },
        Val::Array(a) => {
            let mut undecided = None;
            for x in a.iter() {
                match x.equals(item) {
                    Some(true) => return Ok(cx.bool(true)),
                    Some(false) => {}
                    None => undecided = undecided.or(unknown_in(x).or(unknown_in(item))),
                }
            }
            Ok(match undecided {
                Some(u) => cx.unknown_from(u),
                None => cx.bool(false),
            })
        }
        Val::Object(_) => {
            let key = match &item.v {
                Val::Str(k) => k.to_string(),
                Val::Int(n) => n.to_string(),
                other => {
                    return Ok(cx.unknown(format!(
                        "of {} as an object's key is not documented",
                        other.type_name()
                    )));
                }
            };
            Ok(match container.get(&key) {
                Some(_) => cx.bool(true),
                None if container.is_open() => {
                    cx.unknown("can't tell whether Azure adds the property at deployment")
                }
                None => cx.bool(false),
            })
        }
        other => Err(format!(
            "needs a string, array or object, found {}",
            other.type_name()
        )),
    }
}

pub(super) fn first(cx: &Call<'_>, args: &[Value]) -> FnResult {
    end(cx, &args[0], true)
}

pub(super) fn last(cx: &Call<'_>, args: &[Value]) -> FnResult {
    end(cx, &args[0], false)
}

/// The first or last character of a string, or element of an array (null when empty, and for
/// null, as PSRule has it).
fn end(cx: &Call<'_>, x: &Value, first: bool) -> FnResult {
    match &x.v {
        Val::Str(t) => {
            let n = t.encode_utf16().count();
            let (from, to) = match (n, first) {
                (0, _) => (0, 0),
                (_, true) => (0, 1),
                (_, false) => (n - 1, n),
            };
            Ok(match utf16_slice(t, from, to) {
                Some(s) => cx.str(&s),
                None => cx.unknown("would cut a character in two"),
            })
        }
        Val::Array(a) => {
            let x = if first { a.first() } else { a.last() };
            Ok(x.cloned().map(|v| v.relocated(cx.at)).unwrap_or(cx.null()))
        }
        Val::Null => Ok(cx.null()),
        other => Err(format!(
            "needs a string or an array, found {}",
            other.type_name()
        )),
    }
}

pub(super) fn index_of(cx: &Call<'_>, args: &[Value]) -> FnResult {
    position(cx, args, false)
}

pub(super) fn last_index_of(cx: &Call<'_>, args: &[Value]) -> FnResult {
    position(cx, args, true)
}

/// Where the first (or last) occurrence is: of text in a string, ignoring case, in UTF-16
/// code units; of an element in an array, by value. -1 when there is none.
fn position(cx: &Call<'_>, args: &[Value], last: bool) -> FnResult {
    match &args[0].v {
        Val::Str(a) => {
            let b = match &args[1].v {
                Val::Str(b) => b.clone(),
                other => {
                    return Ok(cx.unknown(format!(
                        "of {} in a string is not documented",
                        other.type_name()
                    )));
                }
            };
            if b.is_empty() && last {
                // .NET's answer changed between versions.
                return Ok(cx.unknown("of an empty text is not documented"));
            }
            let (a, b) = (fold_case(a), fold_case(&b));
            let found = if last { a.rfind(&b) } else { a.find(&b) };
            // Folding keeps each character's UTF-16 length: offsets carry over.
            let found = found.map(|i| a[..i].encode_utf16().count());
            Ok(cx.int(found.map(|i| i as i64).unwrap_or(-1)))
        }
        Val::Array(a) => {
            let indexes: Box<dyn Iterator<Item = usize>> = if last {
                Box::new((0..a.len()).rev())
            } else {
                Box::new(0..a.len())
            };
            for i in indexes {
                match a[i].equals(&args[1]) {
                    Some(true) => return Ok(cx.int(i as i64)),
                    Some(false) => {}
                    // An unknown before the match decides nothing.
                    None => {
                        let u = unknown_in(&a[i]).or(unknown_in(&args[1])).unwrap();
                        return Ok(cx.unknown_from(u));
                    }
                }
            }
            Ok(cx.int(-1))
        }
        other => Err(format!(
            "needs a string or an array, found {}",
            other.type_name()
        )),
    }
}

/// `indexFromEnd(array, n)`: the n-th element from the end (1 is the last).
pub(super) fn index_from_end(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let Val::Array(a) = &args[0].v else {
        return Err(format!("needs an array, found {}", args[0].v.type_name()));
    };
    let n = want_int(&args[1], "the index from the end")?;
    match from_end(a, n) {
        Some(x) => Ok(x.clone().relocated(cx.at)),
        None => Err(format!(
            "index {n} from the end is out of range for an array of {}",
            a.len()
        )),
    }
}

/// `tryIndexFromEnd(array, n)`: as `indexFromEnd`, or null when there is no such element.
pub(super) fn try_index_from_end(cx: &Call<'_>, args: &[Value]) -> FnResult {
    if let Some(u) = args[0].as_unknown().or(args[1].as_unknown()) {
        return Ok(cx.unknown_from(u));
    }
    Ok(match (&args[0].v, &args[1].v) {
        (Val::Array(a), Val::Int(n)) => from_end(a, *n)
            .map(|x| x.clone().relocated(cx.at))
            .unwrap_or(cx.null()),
        (Val::Array(_) | Val::Null, _) => cx.null(),
        (other, _) => return Err(format!("needs an array, found {}", other.type_name())),
    })
}

fn from_end(a: &[Value], n: i64) -> Option<&Value> {
    let n = usize::try_from(n).ok().filter(|&n| n >= 1)?;
    a.len().checked_sub(n).map(|i| &a[i])
}

pub(super) fn take(cx: &Call<'_>, args: &[Value]) -> FnResult {
    take_or_skip(cx, args, true)
}

pub(super) fn skip(cx: &Call<'_>, args: &[Value]) -> FnResult {
    take_or_skip(cx, args, false)
}

/// The first `n` characters or elements, or all but them (`n` below 0 counts as 0).
fn take_or_skip(cx: &Call<'_>, args: &[Value], take: bool) -> FnResult {
    let n = want_int(&args[1], "the count")?.max(0);
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    match &args[0].v {
        Val::Str(t) => {
            let len = t.encode_utf16().count();
            let n = n.min(len);
            let (from, to) = if take { (0, n) } else { (n, len) };
            Ok(match utf16_slice(t, from, to) {
                Some(s) => cx.str(&s),
                None => cx.unknown("would cut a character in two"),
            })
        }
        Val::Array(a) => Ok(cx.array(if take {
            a.iter().take(n).cloned().collect()
        } else {
            a.iter().skip(n).cloned().collect()
        })),
        other => Err(format!(
            "needs a string or an array, found {}",
            other.type_name()
        )),
    }
}

/// `range(start, count)`: `count` integers from `start`. ARM limits the count to 10000 and
/// the end to 2147483647.
pub(super) fn range(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let start = want_int(&args[0], "the start")?;
    let count = want_int(&args[1], "the count")?;
    if !(0..=10_000).contains(&count) {
        return Err(format!("count {count} is outside 0 to 10000"));
    }
    if start
        .checked_add(count)
        .is_none_or(|e| e > i64::from(i32::MAX))
    {
        return Err(format!(
            "start {start} plus count {count} is greater than 2147483647"
        ));
    }
    Ok(cx.array((0..count).map(|i| cx.int(start + i)).collect()))
}

pub(super) fn union(cx: &Call<'_>, args: &[Value]) -> FnResult {
    combine(cx, args, true)
}

pub(super) fn intersection(cx: &Call<'_>, args: &[Value]) -> FnResult {
    combine(cx, args, false)
}

/// `union` or `intersection` of objects (by member) or arrays (by element). Null arguments
/// are left out (as PSRule has it; an error there could be a false one).
fn combine(cx: &Call<'_>, args: &[Value], union: bool) -> FnResult {
    let args: Vec<Value> = args
        .iter()
        .filter(|a| !matches!(a.v, Val::Null))
        .cloned()
        .collect();
    let Some(first) = args.first() else {
        return Ok(cx.null());
    };
    let objects = match &first.v {
        Val::Object(_) => true,
        Val::Array(_) => false,
        other => {
            return Err(format!(
                "needs arrays or objects, found {}",
                other.type_name()
            ));
        }
    };
    for a in &args {
        match (&a.v, objects) {
            (Val::Object(_), true) | (Val::Array(_), false) => {}
            _ => return Err("mixes arrays and objects with other values".into()),
        }
    }
    let args = &args[..];
    if objects {
        return Ok(match combine_objects(args, union) {
            Some(m) => cx.object(m),
            None => cx.unknown(format!(
                "can't compare members that are unknown ({})",
                first_reason(args)
            )),
        });
    }
    // Each comparison of two elements walks them: charged to the template's budget.
    let mut compared = 0u64;
    let mut charge = |n: u64| -> Result<(), Value> {
        compared += n;
        if compared < 1024 {
            return Ok(());
        }
        let bytes = std::mem::take(&mut compared) * NODE_BYTES as u64;
        cx.ev.scope().charge(bytes).map_err(|x| cx.exceeded(x))
    };
    Ok(match combine_arrays(args, union, &mut charge) {
        Err(v) => v,
        Ok(Some(items)) => cx.array(items),
        Ok(None) => cx.unknown(format!(
            "can't compare elements that are unknown ({})",
            first_reason(args)
        )),
    })
}

fn first_reason(args: &[Value]) -> String {
    args.iter()
        .find_map(unknown_in)
        .map(|u| u.reason.clone())
        .unwrap_or_default()
}

/// The members of `union` (merged, nested objects merged too) or `intersection` (members equal
/// in every object); None when an unknown member decides it.
fn combine_objects(args: &[Value], union: bool) -> Option<Vec<(Rc<str>, Value)>> {
    let mut members: Vec<(Rc<str>, Value)> = Vec::new();
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    for (i, a) in args.iter().enumerate() {
        let Val::Object(m) = &a.v else { return None };
        if union || i == 0 {
            for (k, v) in m.iter() {
                match index.get(&k.to_lowercase()) {
                    Some(&at) => members[at].1 = deep_merge(&members[at].1, v),
                    None => {
                        index.insert(k.to_lowercase(), members.len());
                        members.push((k.clone(), v.clone()));
                    }
                }
            }
        } else {
            let mut keep = Vec::new();
            for (k, v) in members {
                match a.get(&k).map(|o| o.equals(&v)) {
                    Some(Some(true)) => keep.push((k, v)),
                    Some(None) => return None,
                    _ => {}
                }
            }
            members = keep;
        }
    }
    Some(members)
}

/// The elements of `union` (each once, in order met) or `intersection` (those in every
/// array); None when unknown parts decide whether two elements are equal. Known elements are
/// compared by their JSON; those with unknown parts one by one (n·k for k of them).
///
/// `charge` is told of each comparison made; Err (its error) stops it.
fn combine_arrays(
    args: &[Value],
    union: bool,
    charge: &mut dyn FnMut(u64) -> Result<(), Value>,
) -> Result<Option<Vec<Value>>, Value> {
    // The elements so far, and the indexes of those with unknown parts.
    let mut out: Vec<Value> = Vec::new();
    let mut uncertain: Vec<usize> = Vec::new();
    let mut seen: FxHashSet<String> = FxHashSet::default();
    for (i, a) in args.iter().enumerate() {
        let Val::Array(items) = &a.v else {
            return Ok(None);
        };
        if union || i == 0 {
            for x in items.iter() {
                let key = canonical(x);
                if key.as_ref().is_some_and(|k| seen.contains(k)) {
                    continue;
                }
                // Against the elements it may equal: all of them if it has unknown parts,
                // else those that have.
                let others: Box<dyn Iterator<Item = &Value>> = match key {
                    Some(_) => Box::new(uncertain.iter().map(|&j| &out[j])),
                    None => Box::new(out.iter()),
                };
                let mut dup = false;
                for o in others {
                    charge(1)?;
                    match o.equals(x) {
                        Some(true) => dup = true,
                        Some(false) => {}
                        None => return Ok(None),
                    }
                }
                if dup {
                    continue;
                }
                match key {
                    Some(k) => {
                        seen.insert(k);
                    }
                    None => uncertain.push(out.len()),
                }
                out.push(x.clone());
            }
        } else {
            let keys: Vec<Option<String>> = items.iter().map(canonical).collect();
            let known: FxHashSet<&String> = keys.iter().flatten().collect();
            let unsure: Vec<&Value> = items
                .iter()
                .zip(&keys)
                .filter(|(_, k)| k.is_none())
                .map(|(x, _)| x)
                .collect();
            let mut keep = Vec::new();
            for (j, o) in out.into_iter().enumerate() {
                // (`uncertain` is in increasing order.)
                let mine = if uncertain.binary_search(&j).is_ok() {
                    None
                } else {
                    canonical(&o)
                };
                let mut found = mine.as_ref().is_some_and(|k| known.contains(k));
                if !found {
                    let others: Box<dyn Iterator<Item = &Value>> = match mine {
                        Some(_) => Box::new(unsure.iter().copied()),
                        None => Box::new(items.iter()),
                    };
                    for x in others {
                        charge(1)?;
                        match o.equals(x) {
                            Some(true) => found = true,
                            Some(false) => {}
                            None => return Ok(None),
                        }
                    }
                }
                if found {
                    keep.push(o);
                }
            }
            out = keep;
            uncertain = out
                .iter()
                .enumerate()
                .filter(|(_, o)| canonical(o).is_none())
                .map(|(j, _)| j)
                .collect();
        }
    }
    Ok(Some(out))
}

/// A value's JSON with object members in a fixed order: equal values give equal texts. None
/// for a value with unknown parts.
fn canonical(v: &Value) -> Option<String> {
    v.to_json().map(|j| j.to_string())
}

/// `union` of two objects: nested objects merge, anything else is replaced. Unknown where an
/// unknown might be an object to merge.
fn deep_merge(a: &Value, b: &Value) -> Value {
    match (&a.v, &b.v) {
        (Val::Object(x), Val::Object(y)) => {
            let mut members: Vec<(Rc<str>, Value)> = x.as_ref().clone();
            // The first member of each name (ignoring ASCII case), found by a hash, not a scan.
            let mut index: FxHashMap<String, usize> = FxHashMap::default();
            for (i, (k, _)) in members.iter().enumerate() {
                index.entry(k.to_ascii_lowercase()).or_insert(i);
            }
            for (k, v) in y.iter() {
                match index.get(&k.to_ascii_lowercase()) {
                    Some(&i) => members[i].1 = deep_merge(&members[i].1, v),
                    None => {
                        index.insert(k.to_ascii_lowercase(), members.len());
                        members.push((k.clone(), v.clone()));
                    }
                }
            }
            b.with_contents(Val::Object(Rc::new(members)))
        }
        (Val::Unknown(u), Val::Object(_)) | (Val::Object(_), Val::Unknown(u)) => {
            Value::unknown_from(u, None, b.at)
        }
        _ => b.clone(),
    }
}

pub(super) fn flatten(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let Val::Array(a) = &args[0].v else {
        return Err(format!("needs an array, found {}", args[0].v.type_name()));
    };
    let mut out = Vec::new();
    for x in a.iter() {
        match &x.v {
            Val::Array(inner) => out.extend(inner.iter().cloned()),
            Val::Unknown(u) => return Ok(cx.unknown_from(u)),
            _ => {
                return Err(format!(
                    "needs an array of arrays, found {} in it",
                    x.v.type_name()
                ));
            }
        }
    }
    Ok(cx.array(out))
}
