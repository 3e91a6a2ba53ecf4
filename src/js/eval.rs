//! The evaluator of the static subset: a module's top-level declarations and `exports`
//! assignments, and on demand the functions it exports, called with values the caller gives.
//! Literals, objects, arrays, template literals, member reads, destructuring and calls of
//! functions written in the file (or given by the caller) are evaluated; anything else is an
//! unknown value with the reason, never a guess. Nothing is executed: there is no mutation, no
//! loop, no I/O, and every evaluation is bounded in depth and steps.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use oxc_ast::ast::*;
use oxc_span::GetSpan;
use rustc_hash::FxHashMap as FastMap;

use super::value::{Closure, Code, Data, DataVal, Open, Unknown, Val, Value};
use crate::model::Loc;
use crate::source::{FileId, Span};

/// The deepest nesting of expressions evaluated; deeper values are unknown.
pub const MAX_EVAL_DEPTH: usize = 500;
/// The deepest nesting of calls of the file's own functions.
pub const MAX_CALL_DEPTH: usize = 64;

/// Variables in scope: a function's, or the module's.
pub struct Scope<'a> {
    vars: RefCell<FastMap<Rc<str>, Value<'a>>>,
    parent: Option<ScopeRef<'a>>,
}

pub type ScopeRef<'a> = Rc<Scope<'a>>;

impl<'a> Scope<'a> {
    fn new(parent: Option<ScopeRef<'a>>) -> ScopeRef<'a> {
        Rc::new(Scope {
            vars: RefCell::new(FastMap::default()),
            parent,
        })
    }
    fn define(&self, name: &str, v: Value<'a>) {
        self.vars.borrow_mut().insert(Rc::from(name), v);
    }
    fn lookup(&self, name: &str) -> Option<Value<'a>> {
        if let Some(v) = self.vars.borrow().get(name) {
            return Some(v.clone());
        }
        self.parent.as_ref().and_then(|p| p.lookup(name))
    }
    /// Sets an existing variable (in this scope or an enclosing one); false when none.
    fn assign(&self, name: &str, v: Value<'a>) -> bool {
        if let Some(slot) = self.vars.borrow_mut().get_mut(name) {
            *slot = v;
            return true;
        }
        self.parent.as_ref().is_some_and(|p| p.assign(name, v))
    }
}

/// A parsed and evaluated module.
pub struct Module<'a> {
    text: &'a str,
    file: FileId,
    globals: ScopeRef<'a>,
    /// Members assigned to `exports` (and to `module.exports.x` before it is replaced).
    exports: RefCell<Vec<(Rc<str>, Value<'a>)>>,
    /// What `module.exports = ...` set, if anything.
    replaced: RefCell<Option<Value<'a>>>,
    steps: Cell<u64>,
    budget: u64,
    depth: Cell<usize>,
    calls: Cell<usize>,
    /// The call being evaluated (0: the module's top level), so that an unknown computed at
    /// one place in two calls is two unknowns.
    instance: Cell<u32>,
    instances: Cell<u32>,
    /// The first place each unknown read is met, whose position names its placeholder.
    symbols: RefCell<FastMap<String, Loc>>,
}

impl<'a> Module<'a> {
    /// Runs a program's top level.
    pub(super) fn new(text: &'a str, file: FileId, program: &'a Program<'a>) -> Module<'a> {
        let m = Module {
            text,
            file,
            globals: Scope::new(None),
            exports: RefCell::new(Vec::new()),
            replaced: RefCell::new(None),
            steps: Cell::new(0),
            budget: 1_000_000 + 20 * text.len() as u64,
            depth: Cell::new(0),
            calls: Cell::new(0),
            instance: Cell::new(0),
            instances: Cell::new(0),
            symbols: RefCell::new(FastMap::default()),
        };
        let scope = m.globals.clone();
        m.hoist(&program.body, &scope);
        for s in &program.body {
            m.top_statement(s, &scope);
        }
        m
    }

    pub fn loc(&self, span: oxc_span::Span) -> Loc {
        Loc::new(
            self.file,
            Span::new(span.start as usize, span.end as usize),
            None,
        )
    }

    /// The source text at `span`, whitespace collapsed and cut to 60 characters, for reasons.
    pub fn snippet(&self, span: oxc_span::Span) -> String {
        let raw = self
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        let flat = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 60 {
            let cut: String = flat.chars().take(58).collect();
            format!("{}…", cut.trim_end())
        } else {
            flat
        }
    }

    /// The length of the module's text.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether the module's text is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// What the module exports: `module.exports`.
    pub fn exports(&self) -> Value<'a> {
        if let Some(v) = self.replaced.borrow().as_ref() {
            return v.clone();
        }
        let at = Loc::new(self.file, Span::new(0, 0), None);
        Value::object(self.exports.borrow().clone(), at)
    }

    /// The placeholder of an unknown read: the same read (`process.env.HUB`, `config.stage`)
    /// has the same placeholder wherever it is, named by where it is first met.
    fn read_symbol(&self, key: String, at: Loc) -> String {
        let loc = *self.symbols.borrow_mut().entry(key).or_insert(at);
        format!("{{@{}:{}:{}}}", loc.file.0, loc.span.start, loc.span.end)
    }

    /// The placeholder of a value computed at `at` (a call, an operator): its own, one per
    /// call of the function it is in.
    fn computed_symbol(&self, at: Loc) -> String {
        match self.instance.get() {
            0 => format!("{{@{}:{}:{}}}", at.file.0, at.span.start, at.span.end),
            n => format!("{{@{}:{}:{}:{n}}}", at.file.0, at.span.start, at.span.end),
        }
    }

    /// An unknown computed at `span`: "`text` why".
    fn computed(&self, span: oxc_span::Span, why: &str) -> Value<'a> {
        let at = self.loc(span);
        let reason = format!("`{}` {why}", self.snippet(span));
        Value::unknown(reason, Some(self.computed_symbol(at)), at)
    }

    /// Counts one step; false once the budget is spent.
    fn step(&self) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        n <= self.budget
    }

    /// Counts `n` steps of work (a search through `n` members); false once the budget is
    /// spent. Lookups in large objects are paid for, so that the work stays linear in the
    /// budget.
    fn charge(&self, n: usize) -> bool {
        let total = self.steps.get().saturating_add(n as u64);
        self.steps.set(total);
        total <= self.budget
    }

    fn exhausted(&self, span: oxc_span::Span) -> Value<'a> {
        Value::unknown(
            format!(
                "evaluating the file takes more than {} steps, where peerlint stops",
                self.budget
            ),
            None,
            self.loc(span),
        )
    }

    // ---- statements ----

    /// Function declarations are defined before the statements run.
    fn hoist(&self, body: &'a [Statement<'a>], scope: &ScopeRef<'a>) {
        for s in body {
            if let Statement::FunctionDeclaration(f) = s
                && let Some(id) = &f.id
            {
                let v = Value::new(
                    Val::Func(Rc::new(Closure {
                        code: Code::Function(f),
                        scope: scope.clone(),
                    })),
                    self.loc(f.span),
                );
                scope.define(&id.name, v);
            }
        }
    }

    fn top_statement(&self, s: &'a Statement<'a>, scope: &ScopeRef<'a>) {
        match s {
            Statement::VariableDeclaration(d) => self.declare(d, scope),
            Statement::FunctionDeclaration(_) | Statement::EmptyStatement(_) => {}
            Statement::ExpressionStatement(e) => self.top_expression(&e.expression, scope),
            other => {
                let span = other_span(other);
                self.taint(span, "is a statement peerlint doesn't run");
            }
        }
    }

    /// A top-level expression statement: an assignment to `exports`, `module.exports` or a
    /// variable; a `require(...)` for its effect; anything else may change what the module
    /// holds, which is then unknown.
    fn top_expression(&self, e: &'a Expression<'a>, scope: &ScopeRef<'a>) {
        match e.without_parentheses() {
            Expression::AssignmentExpression(a) if a.operator == AssignmentOperator::Assign => {
                let v = self.expr(&a.right, scope);
                self.assign(&a.left, v, a.span, scope);
            }
            Expression::CallExpression(c) if is_require(c, scope) => {}
            Expression::StringLiteral(_) => {}
            other => self.taint(other.span(), "may change what the module holds"),
        }
    }

    fn assign(
        &self,
        target: &'a AssignmentTarget<'a>,
        v: Value<'a>,
        span: oxc_span::Span,
        scope: &ScopeRef<'a>,
    ) {
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = target {
            if !scope.assign(&id.name, v.clone()) {
                self.globals.define(&id.name, v);
            }
            return;
        }
        if let Some(m) = target.as_member_expression() {
            let object = m.object().without_parentheses();
            let key = m.static_property_name();
            // `exports.x = v`, `module.exports.x = v`, `module.exports = v`.
            // Past the budget, what is assigned is unknown (it is still assigned).
            let v = if self.charge(self.exports.borrow().len()) {
                v
            } else {
                self.exhausted(span)
            };
            if object.is_specific_id("exports") && scope.lookup("exports").is_none() {
                if let Some(k) = key {
                    set_member(&mut self.exports.borrow_mut(), k, v);
                    return;
                }
            } else if object.is_specific_id("module") && scope.lookup("module").is_none() {
                if key == Some("exports") {
                    *self.replaced.borrow_mut() = Some(v);
                    return;
                }
            } else if let Some(inner) = object.as_member_expression()
                && inner.object().is_specific_id("module")
                && inner.static_property_name() == Some("exports")
                && let Some(k) = key
            {
                let mut replaced = self.replaced.borrow_mut();
                match replaced.as_mut() {
                    None => set_member(&mut self.exports.borrow_mut(), k, v),
                    Some(Value {
                        v: Val::Object(members),
                        ..
                    }) => set_member(Rc::make_mut(members), k, v),
                    Some(_) => {}
                }
                return;
            }
        }
        self.taint(span, "changes a value peerlint can't follow");
    }

    /// A statement peerlint doesn't run: every variable of the module and what it exports so
    /// far become unknown (declarations after it are read as usual).
    fn taint(&self, span: oxc_span::Span, why: &str) {
        let at = self.loc(span);
        let reason = format!(
            "the statement `{}` {why}, and it may change it",
            self.snippet(span)
        );
        let unknown = Value::unknown(reason, None, at);
        for slot in self.globals.vars.borrow_mut().values_mut() {
            *slot = unknown.clone();
        }
        for slot in self.exports.borrow_mut().iter_mut() {
            slot.1 = unknown.clone();
        }
        if let Some(r) = self.replaced.borrow_mut().as_mut() {
            *r = unknown.clone();
        }
    }

    fn declare(&self, d: &'a VariableDeclaration<'a>, scope: &ScopeRef<'a>) {
        for decl in &d.declarations {
            let v = match &decl.init {
                Some(e) => self.expr(e, scope),
                None => Value::new(Val::Undefined, self.loc(decl.span)),
            };
            self.bind(&decl.id, v, scope);
        }
    }

    /// Binds a pattern (`x`, `{ a, b: c = 1 }`, `[x, y]`) to a value.
    fn bind(&self, p: &'a BindingPattern<'a>, v: Value<'a>, scope: &ScopeRef<'a>) {
        match &p.kind {
            BindingPatternKind::BindingIdentifier(id) => scope.define(&id.name, v),
            BindingPatternKind::AssignmentPattern(a) => {
                let v = if matches!(v.v, Val::Undefined) {
                    self.expr(&a.right, scope)
                } else {
                    v
                };
                self.bind(&a.left, v, scope);
            }
            BindingPatternKind::ObjectPattern(o) => {
                let mut used: Vec<String> = Vec::new();
                for prop in &o.properties {
                    let at = self.loc(prop.span);
                    let member = match self.key(&prop.key, prop.computed, scope) {
                        Ok(k) => {
                            let m = self.member(&v, &k, at, prop.span, false);
                            used.push(k);
                            m
                        }
                        Err(u) => u,
                    };
                    self.bind(&prop.value, member, scope);
                }
                if let Some(rest) = &o.rest {
                    let rest_v = match &v.v {
                        Val::Object(m) if v.open.is_none() => Value::object(
                            m.iter()
                                .filter(|(k, _)| !used.iter().any(|u| u == &**k))
                                .cloned()
                                .collect(),
                            v.at,
                        ),
                        _ => self.computed(
                            rest.span,
                            "is the rest of a value peerlint doesn't know whole",
                        ),
                    };
                    self.bind(&rest.argument, rest_v, scope);
                }
            }
            BindingPatternKind::ArrayPattern(a) => {
                for (i, el) in a.elements.iter().enumerate() {
                    let Some(el) = el else { continue };
                    let at = self.loc(el.span());
                    let item = self.member(&v, &i.to_string(), at, el.span(), false);
                    self.bind(el, item, scope);
                }
                if let Some(rest) = &a.rest {
                    let rest_v = match &v.v {
                        Val::Array(items) => Value::array(
                            items.iter().skip(a.elements.len()).cloned().collect(),
                            v.at,
                        ),
                        _ => self.computed(
                            rest.span,
                            "is the rest of a value peerlint doesn't know whole",
                        ),
                    };
                    self.bind(&rest.argument, rest_v, scope);
                }
            }
        }
    }

    /// A property key: its name, or (computed from an unknown) the unknown.
    fn key(
        &self,
        k: &'a PropertyKey<'a>,
        computed: bool,
        scope: &ScopeRef<'a>,
    ) -> Result<String, Value<'a>> {
        if !computed && let Some(name) = k.static_name() {
            return Ok(name.into_owned());
        }
        let Some(e) = k.as_expression() else {
            return Err(self.computed(k.span(), "is a key peerlint doesn't evaluate"));
        };
        let v = self.expr(e, scope);
        match &v.v {
            Val::Str(s) => Ok(s.to_string()),
            Val::Num(n) => number_text(*n)
                .ok_or_else(|| self.computed(k.span(), "is a key peerlint doesn't evaluate")),
            Val::Unknown(_) => Err(v),
            _ => Err(self.computed(k.span(), "is a key peerlint doesn't evaluate")),
        }
    }

    // ---- expressions ----

    /// Evaluates an expression, bounded in depth and steps.
    pub fn expr(&self, e: &'a Expression<'a>, scope: &ScopeRef<'a>) -> Value<'a> {
        if !self.step() {
            return self.exhausted(e.span());
        }
        let depth = self.depth.get();
        if depth >= MAX_EVAL_DEPTH {
            return Value::unknown(
                format!("it is nested deeper than {MAX_EVAL_DEPTH} levels, where peerlint stops"),
                None,
                self.loc(e.span()),
            );
        }
        self.depth.set(depth + 1);
        let v = self.expr_inner(e, scope, false);
        self.depth.set(depth);
        v
    }

    fn expr_inner(&self, e: &'a Expression<'a>, scope: &ScopeRef<'a>, chain: bool) -> Value<'a> {
        let at = self.loc(e.span());
        match e {
            Expression::BooleanLiteral(b) => Value::new(Val::Bool(b.value), at),
            Expression::NullLiteral(_) => Value::new(Val::Null, at),
            Expression::NumericLiteral(n) => Value::new(Val::Num(n.value), at),
            Expression::StringLiteral(s) => Value::str(&s.value, at),
            Expression::TemplateLiteral(t) => self.template(t, scope),
            Expression::Identifier(id) => self.identifier(id, scope),
            Expression::ParenthesizedExpression(p) => self.expr(&p.expression, scope),
            Expression::ObjectExpression(o) => self.object(o, scope),
            Expression::ArrayExpression(a) => self.array(a, scope),
            Expression::ArrowFunctionExpression(f) => Value::new(
                Val::Func(Rc::new(Closure {
                    code: Code::Arrow(f),
                    scope: scope.clone(),
                })),
                at,
            ),
            Expression::FunctionExpression(f) => Value::new(
                Val::Func(Rc::new(Closure {
                    code: Code::Function(f),
                    scope: scope.clone(),
                })),
                at,
            ),
            Expression::StaticMemberExpression(m) => {
                let base = self.sub(&m.object, scope, chain);
                self.member(&base, &m.property.name, at, m.span, chain || m.optional)
            }
            Expression::ComputedMemberExpression(m) => {
                let base = self.sub(&m.object, scope, chain);
                let key = self.expr(&m.expression, scope);
                let key = match &key.v {
                    Val::Str(s) => s.to_string(),
                    Val::Num(n) => match number_text(*n) {
                        Some(k) => k,
                        None => {
                            return self
                                .computed(m.span, "reads a member peerlint doesn't evaluate");
                        }
                    },
                    Val::Unknown(_) => {
                        return self.computed(m.span, "reads a member named by an unknown value");
                    }
                    _ => return self.computed(m.span, "reads a member peerlint doesn't evaluate"),
                };
                self.member(&base, &key, at, m.span, chain || m.optional)
            }
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::CallExpression(call) => self.call_expr(call, scope, true),
                ChainElement::StaticMemberExpression(m) => {
                    let base = self.sub(&m.object, scope, true);
                    self.member(&base, &m.property.name, at, m.span, true)
                }
                ChainElement::ComputedMemberExpression(m) => {
                    let base = self.sub(&m.object, scope, true);
                    let key = self.expr(&m.expression, scope);
                    match key.as_str() {
                        Some(k) => self.member(&base, k, at, m.span, true),
                        None => self.computed(m.span, "reads a member peerlint doesn't evaluate"),
                    }
                }
                _ => self.computed(c.span, "is an expression peerlint doesn't evaluate"),
            },
            Expression::CallExpression(call) => self.call_expr(call, scope, chain),
            Expression::UnaryExpression(u) => match u.operator {
                UnaryOperator::UnaryNegation => {
                    let v = self.expr(&u.argument, scope);
                    match v.v {
                        Val::Num(n) => Value::new(Val::Num(-n), at),
                        _ => self.computed(u.span, "is computed when GruCloud runs"),
                    }
                }
                UnaryOperator::Void => Value::new(Val::Undefined, at),
                _ => self.computed(u.span, "is computed when GruCloud runs"),
            },
            Expression::RegExpLiteral(_) | Expression::BigIntLiteral(_) => {
                self.computed(e.span(), "is a value peerlint doesn't evaluate")
            }
            _ => self.computed(e.span(), "is computed when GruCloud runs"),
        }
    }

    /// The object of a member expression or call, inside an optional chain when `chain`.
    fn sub(&self, e: &'a Expression<'a>, scope: &ScopeRef<'a>, chain: bool) -> Value<'a> {
        if !chain {
            return self.expr(e, scope);
        }
        // Within `a?.b.c`, the links after `?.` keep the chain's short-circuit.
        match e {
            Expression::StaticMemberExpression(_)
            | Expression::ComputedMemberExpression(_)
            | Expression::CallExpression(_) => {
                let depth = self.depth.get();
                if depth >= MAX_EVAL_DEPTH || !self.step() {
                    return self.expr(e, scope);
                }
                self.depth.set(depth + 1);
                let v = self.expr_inner(e, scope, true);
                self.depth.set(depth);
                v
            }
            _ => self.expr(e, scope),
        }
    }

    fn identifier(&self, id: &'a IdentifierReference<'a>, scope: &ScopeRef<'a>) -> Value<'a> {
        let at = self.loc(id.span);
        if let Some(v) = scope.lookup(&id.name) {
            return v.read_at(at);
        }
        match id.name.as_str() {
            "undefined" => Value::new(Val::Undefined, at),
            name => {
                let why = match name {
                    "process" => "is the Node.js process GruCloud runs in".to_string(),
                    "require" | "module" | "exports" => {
                        "is part of the Node.js module system".to_string()
                    }
                    _ => "is not defined in the file".to_string(),
                };
                Value::unknown(
                    format!("`{name}` {why}"),
                    Some(self.read_symbol(name.to_string(), at)),
                    at,
                )
            }
        }
    }

    /// A member of a value: `key` read at `at` (the whole member expression `span`).
    fn member(
        &self,
        base: &Value<'a>,
        key: &str,
        at: Loc,
        span: oxc_span::Span,
        optional: bool,
    ) -> Value<'a> {
        if let Val::Object(members) = &base.v
            && !self.charge(members.len())
        {
            return self.exhausted(span);
        }
        match &base.v {
            Val::Object(members) => match members.iter().rev().find(|(k, _)| &**k == key) {
                Some((_, v)) => {
                    let mut v = v.clone().read_at(at);
                    // A member object of an open object is open too, under its path.
                    if let Some(open) = &base.open
                        && matches!(v.v, Val::Object(_))
                    {
                        v.open = Some(Rc::new(Open {
                            path: Rc::from(format!("{}.{key}", open.path)),
                            missing: open.missing.clone(),
                        }));
                    }
                    v
                }
                None => match &base.open {
                    Some(open) => {
                        let path = format!("{}.{key}", open.path);
                        Value::unknown(
                            format!("`{path}` {}", open.missing),
                            Some(self.read_symbol(path.clone(), at)),
                            at,
                        )
                    }
                    None => Value::new(Val::Undefined, at),
                },
            },
            Val::Array(items) => {
                if key == "length" {
                    return Value::new(Val::Num(items.len() as f64), at);
                }
                match key.parse::<usize>() {
                    Ok(i) => items
                        .get(i)
                        .map(|v| v.clone().read_at(at))
                        .unwrap_or_else(|| Value::new(Val::Undefined, at)),
                    Err(_) => {
                        self.computed(span, "reads a member of an array peerlint doesn't evaluate")
                    }
                }
            }
            Val::Str(s) if key == "length" => {
                Value::new(Val::Num(s.encode_utf16().count() as f64), at)
            }
            Val::Helpers(module) => {
                Value::new(Val::Helpers(Rc::from(format!("{module}.{key}"))), at)
            }
            Val::Undefined | Val::Null if optional => Value::new(Val::Undefined, at),
            Val::Undefined | Val::Null => Value::unknown(
                format!(
                    "`{}` reads a member of `{}`, which fails when GruCloud runs",
                    self.snippet(span),
                    if matches!(base.v, Val::Null) {
                        "null"
                    } else {
                        "undefined"
                    }
                ),
                None,
                at,
            ),
            Val::Unknown(u) => {
                let text = self.snippet(span);
                let reason = if text.starts_with("process.env.") {
                    format!("`{text}` is read from the environment when GruCloud runs")
                } else {
                    u.reason.clone()
                };
                let symbol = u
                    .symbol
                    .as_ref()
                    .map(|s| self.read_symbol(format!("{s}.{key}"), at));
                Value::unknown(reason, symbol, at)
            }
            _ => self.computed(span, "reads a member peerlint doesn't evaluate"),
        }
    }

    fn template(&self, t: &'a TemplateLiteral<'a>, scope: &ScopeRef<'a>) -> Value<'a> {
        let at = self.loc(t.span);
        let mut text = String::new();
        let mut symbolic = true;
        let mut reason: Option<String> = None;
        for (i, q) in t.quasis.iter().enumerate() {
            match &q.value.cooked {
                Some(c) => text.push_str(c),
                None => return self.computed(t.span, "has an invalid escape"),
            }
            let Some(e) = t.expressions.get(i) else {
                continue;
            };
            let v = self.expr(e, scope);
            match stringify(&v) {
                Some(s) => text.push_str(&s),
                None => {
                    let u = match &v.v {
                        Val::Unknown(u) => u.clone(),
                        _ => {
                            return self.computed(
                                t.span,
                                "turns a value peerlint doesn't evaluate into text",
                            );
                        }
                    };
                    reason.get_or_insert_with(|| u.reason.clone());
                    match &u.symbol {
                        Some(s) => text.push_str(s),
                        None => symbolic = false,
                    }
                }
            }
        }
        match reason {
            None => Value::str(&text, at),
            Some(r) => Value::unknown(r, symbolic.then_some(text), at),
        }
    }

    fn object(&self, o: &'a ObjectExpression<'a>, scope: &ScopeRef<'a>) -> Value<'a> {
        let at = self.loc(o.span);
        let mut members: Vec<(Rc<str>, Value<'a>)> = Vec::new();
        // Where each key is, so that a later value replaces an earlier one in constant time.
        let mut index: FastMap<Rc<str>, usize> = FastMap::default();
        let mut set = |members: &mut Vec<(Rc<str>, Value<'a>)>, key: &str, v: Value<'a>| match index
            .get(key)
        {
            Some(&i) => members[i].1 = v,
            None => {
                let k: Rc<str> = Rc::from(key);
                index.insert(k.clone(), members.len());
                members.push((k, v));
            }
        };
        for p in &o.properties {
            match p {
                ObjectPropertyKind::ObjectProperty(prop) => {
                    let key = match self.key(&prop.key, prop.computed, scope) {
                        Ok(k) => k,
                        Err(u) => {
                            return Value::unknown(
                                format!(
                                    "the object has a key peerlint can't know: {}",
                                    u.as_unknown().map_or("", |u| u.reason.as_str())
                                ),
                                None,
                                at,
                            );
                        }
                    };
                    let v = match prop.kind {
                        PropertyKind::Init => self.expr(&prop.value, scope),
                        _ => self.computed(
                            prop.span,
                            "is an accessor, which runs only when GruCloud does",
                        ),
                    };
                    set(&mut members, &key, v);
                }
                ObjectPropertyKind::SpreadProperty(s) => {
                    let v = self.expr(&s.argument, scope);
                    match &v.v {
                        Val::Object(m) if v.open.is_none() => {
                            for (k, x) in m.iter() {
                                set(&mut members, k, x.clone());
                            }
                        }
                        Val::Undefined | Val::Null => {}
                        _ => {
                            return self
                                .computed(
                                    s.span,
                                    "spreads a value peerlint doesn't know whole into the object",
                                )
                                .relocated(at);
                        }
                    }
                }
            }
        }
        Value::object(members, at)
    }

    fn array(&self, a: &'a ArrayExpression<'a>, scope: &ScopeRef<'a>) -> Value<'a> {
        let at = self.loc(a.span);
        let mut items = Vec::with_capacity(a.elements.len());
        for el in &a.elements {
            match el {
                ArrayExpressionElement::SpreadElement(s) => {
                    let v = self.expr(&s.argument, scope);
                    match &v.v {
                        Val::Array(xs) => items.extend(xs.iter().cloned()),
                        // Any number of items peerlint can't know.
                        _ => items.push(self.computed(
                            s.span,
                            "spreads a value peerlint doesn't know whole into the list",
                        )),
                    }
                }
                ArrayExpressionElement::Elision(e) => {
                    items.push(Value::new(Val::Undefined, self.loc(e.span)));
                }
                other => match other.as_expression() {
                    Some(e) => items.push(self.expr(e, scope)),
                    None => items.push(
                        self.computed(other.span(), "is an element peerlint doesn't evaluate"),
                    ),
                },
            }
        }
        Value::array(items, at)
    }

    fn call_expr(&self, c: &'a CallExpression<'a>, scope: &ScopeRef<'a>, chain: bool) -> Value<'a> {
        let at = self.loc(c.span);
        if is_require(c, scope) {
            let module = c
                .arguments
                .first()
                .and_then(|a| a.as_expression())
                .and_then(|e| match e {
                    Expression::StringLiteral(s) => Some(s.value.as_str()),
                    _ => None,
                });
            return match module {
                Some(m) if m == "rubico" || m.starts_with("rubico/") => {
                    Value::new(Val::Helpers(Rc::from(m)), at)
                }
                _ => {
                    let text = self.snippet(c.span);
                    Value::unknown(
                        format!("`{text}` loads another module, which peerlint doesn't read"),
                        Some(self.read_symbol(text.clone(), at)),
                        at,
                    )
                }
            };
        }
        let callee = self.sub(&c.callee, scope, chain);
        if c.optional && matches!(callee.v, Val::Undefined | Val::Null) {
            return Value::new(Val::Undefined, at);
        }
        let mut args = Vec::with_capacity(c.arguments.len());
        for a in &c.arguments {
            match a.as_expression() {
                Some(e) => args.push(self.expr(e, scope)),
                None => {
                    return self.computed(c.span, "passes arguments peerlint doesn't know whole");
                }
            }
        }
        match &callee.v {
            Val::Helpers(name) => self.computed(
                c.span,
                &format!("calls `{name}`, a helper peerlint doesn't run"),
            ),
            Val::Func(_) | Val::Host(_) => self.call_at(&callee, args, c.span),
            Val::Unknown(u) if u.reason.contains("environment") => {
                self.computed(c.span, "is a call peerlint doesn't run")
            }
            _ => self.computed(c.span, "is a call peerlint doesn't run"),
        }
    }

    /// Calls a function value with `args`; `at` is where the call is written (for a call
    /// made by the caller, the function itself).
    pub fn call(&self, f: &Value<'a>, args: Vec<Value<'a>>, at: Span) -> Value<'a> {
        self.call_at(f, args, oxc_span::Span::new(at.start, at.end))
    }

    fn call_at(&self, f: &Value<'a>, args: Vec<Value<'a>>, span: oxc_span::Span) -> Value<'a> {
        let at = self.loc(span);
        match &f.v {
            Val::Host(h) => h(&args, at),
            Val::Func(closure) => {
                let calls = self.calls.get();
                if calls >= MAX_CALL_DEPTH {
                    return Value::unknown(
                        format!(
                            "it calls functions more than {MAX_CALL_DEPTH} deep, where peerlint stops"
                        ),
                        None,
                        at,
                    );
                }
                if !self.step() {
                    return self.exhausted(span);
                }
                let depth = self.depth.get();
                if depth >= MAX_EVAL_DEPTH {
                    return self.computed(span, "is nested too deep for peerlint");
                }
                self.calls.set(calls + 1);
                self.depth.set(depth + 1);
                let instance = self.instances.get() + 1;
                self.instances.set(instance);
                let outer = self.instance.replace(instance);
                let v = self.run_closure(closure, args, at);
                self.instance.set(outer);
                self.depth.set(depth);
                self.calls.set(calls);
                v
            }
            Val::Unknown(_) => f.clone().relocated(at),
            _ => self.computed(span, "is not a function"),
        }
    }

    fn run_closure(&self, closure: &Closure<'a>, args: Vec<Value<'a>>, at: Loc) -> Value<'a> {
        let scope = Scope::new(Some(closure.scope.clone()));
        let (params, body, is_async, expression, span) = match closure.code {
            Code::Arrow(f) => (&*f.params, Some(&*f.body), f.r#async, f.expression, f.span),
            Code::Function(f) => (
                &*f.params,
                f.body.as_deref(),
                f.r#async || f.generator,
                false,
                f.span,
            ),
        };
        if is_async {
            return self.computed(
                span,
                "is an async function or a generator, which returns a promise or an iterator",
            );
        }
        let mut args = args.into_iter();
        for p in &params.items {
            let v = args
                .next()
                .unwrap_or_else(|| Value::new(Val::Undefined, at));
            self.bind(&p.pattern, v, &scope);
        }
        if let Some(rest) = &params.rest {
            let rest_v = Value::array(args.collect(), at);
            self.bind(&rest.argument, rest_v, &scope);
        }
        let Some(body) = body else {
            return Value::new(Val::Undefined, at);
        };
        if expression {
            if let Some(Statement::ExpressionStatement(e)) = body.statements.first() {
                return self.expr(&e.expression, &scope);
            }
            return self.computed(body.span, "is a function body peerlint doesn't evaluate");
        }
        self.hoist(&body.statements, &scope);
        for s in &body.statements {
            match s {
                Statement::VariableDeclaration(d) => self.declare(d, &scope),
                Statement::FunctionDeclaration(_) | Statement::EmptyStatement(_) => {}
                Statement::ReturnStatement(r) => {
                    return match &r.argument {
                        Some(e) => self.expr(e, &scope),
                        None => Value::new(Val::Undefined, self.loc(r.span)),
                    };
                }
                other => {
                    return self.computed(
                        other_span(other),
                        "is a statement peerlint doesn't run, so what the function returns is unknown",
                    );
                }
            }
        }
        Value::new(Val::Undefined, at)
    }

    // ---- crossing the thread's boundary ----

    /// A value of the caller as a value of the module; `open` makes it an open object.
    pub fn import(&self, d: &Data, open: Option<Open>) -> Value<'a> {
        let v = match &d.v {
            DataVal::Undefined => Val::Undefined,
            DataVal::Null => Val::Null,
            DataVal::Bool(b) => Val::Bool(*b),
            DataVal::Num(n) => Val::Num(*n),
            DataVal::Str(s) => Val::Str(Rc::from(s.as_str())),
            DataVal::Array(items) => Val::Array(Rc::new(
                items.iter().map(|x| self.import(x, None)).collect(),
            )),
            DataVal::Object(members) => Val::Object(Rc::new(
                members
                    .iter()
                    .map(|(k, x)| (Rc::from(k.as_str()), self.import(x, None)))
                    .collect::<Vec<_>>(),
            )),
            DataVal::Unknown(u) => Val::Unknown(Rc::new(u.clone())),
        };
        Value {
            v,
            at: d.at,
            from: d.from,
            open: open.map(Rc::new),
        }
    }

    /// A value as [`Data`]: functions become unknown, and at most `budget` values are copied
    /// (values shared by reference could otherwise expand without bound); the rest are
    /// unknown.
    pub fn export(&self, v: &Value<'a>, budget: &mut usize) -> Data {
        let unknown = |reason: String| {
            DataVal::Unknown(Unknown {
                reason,
                symbol: None,
            })
        };
        let dv = if *budget == 0 {
            unknown("the file's values are larger than peerlint reads".into())
        } else {
            *budget -= 1;
            match &v.v {
                Val::Undefined => DataVal::Undefined,
                Val::Null => DataVal::Null,
                Val::Bool(b) => DataVal::Bool(*b),
                Val::Num(n) => DataVal::Num(*n),
                Val::Str(s) => DataVal::Str(s.to_string()),
                Val::Array(items) => {
                    DataVal::Array(items.iter().map(|x| self.export(x, budget)).collect())
                }
                Val::Object(m) => DataVal::Object(
                    m.iter()
                        .map(|(k, x)| (k.to_string(), self.export(x, budget)))
                        .collect(),
                ),
                Val::Func(_) | Val::Host(_) | Val::Helpers(_) => unknown("it is a function".into()),
                Val::Unknown(u) => DataVal::Unknown(u.as_ref().clone()),
            }
        };
        Data {
            v: dv,
            at: v.at,
            from: v.from,
        }
    }
}

/// Sets `key` in an object's members: a later value of a key replaces the earlier one, in its
/// place.
fn set_member<'a>(members: &mut Vec<(Rc<str>, Value<'a>)>, key: &str, v: Value<'a>) {
    match members.iter_mut().find(|(k, _)| &**k == key) {
        Some(slot) => slot.1 = v,
        None => members.push((Rc::from(key), v)),
    }
}

/// Whether a call is Node's `require(...)` (not a variable of the file named so).
fn is_require(c: &CallExpression<'_>, scope: &ScopeRef<'_>) -> bool {
    c.callee.is_specific_id("require") && scope.lookup("require").is_none()
}

/// A number as JavaScript writes it, for the integers that print the same everywhere.
fn number_text(n: f64) -> Option<String> {
    (n.fract() == 0.0 && n.abs() < 1e21).then(|| {
        if n == 0.0 {
            "0".to_string()
        } else {
            format!("{n:.0}")
        }
    })
}

/// A value as a template literal turns it into text, when peerlint knows how.
fn stringify(v: &Value<'_>) -> Option<String> {
    match &v.v {
        Val::Str(s) => Some(s.to_string()),
        Val::Num(n) => number_text(*n),
        Val::Bool(b) => Some(b.to_string()),
        Val::Null => Some("null".into()),
        Val::Undefined => Some("undefined".into()),
        _ => None,
    }
}

fn other_span(s: &Statement<'_>) -> oxc_span::Span {
    s.span()
}

#[cfg(test)]
mod tests {
    use super::super::{Data, DataVal, run};
    use crate::source::FileId;

    /// What the module exports, as compact JSON-like text: unknowns as `?(reason)`, with
    /// `#symbol` when they have a placeholder.
    fn exports(text: &str) -> String {
        let d = run(text, FileId(0), |m| m.export(&m.exports(), &mut 10_000)).expect("parses");
        show(&d)
    }

    fn show(d: &Data) -> String {
        match &d.v {
            DataVal::Undefined => "undefined".into(),
            DataVal::Null => "null".into(),
            DataVal::Bool(b) => b.to_string(),
            DataVal::Num(n) => n.to_string(),
            DataVal::Str(s) => format!("{s:?}"),
            DataVal::Array(items) => {
                format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(","))
            }
            DataVal::Object(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k}:{}", show(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            DataVal::Unknown(u) => match &u.symbol {
                Some(s) => format!("?({})#{s}", u.reason),
                None => format!("?({})", u.reason),
            },
        }
    }

    #[test]
    fn literals_objects_arrays_and_templates() {
        assert_eq!(
            exports(
                "exports.a = { s: 'x', n: -1.5, b: true, z: null, u: undefined, l: [1, , 'y'] };"
            ),
            r#"{a:{s:"x",n:-1.5,b:true,z:null,u:undefined,l:[1,undefined,"y"]}}"#
        );
        assert_eq!(
            exports("const p = 'rg'; exports.id = `${p}::vnet-${1}-${true}`;"),
            r#"{id:"rg::vnet-1-true"}"#
        );
        // A later key replaces an earlier one in its place; spreads of known objects merge.
        assert_eq!(
            exports("const base = { a: 1, b: 2 }; exports.x = { ...base, a: 3, c: [...[4, 5]] };"),
            "{x:{a:3,b:2,c:[4,5]}}"
        );
    }

    #[test]
    fn module_exports_forms() {
        assert_eq!(exports("module.exports = { a: 1 };"), "{a:1}");
        assert_eq!(
            exports("module.exports = { a: 1 }; module.exports.b = 2;"),
            "{a:1,b:2}"
        );
        assert_eq!(exports("exports.a = 1; module.exports.b = 2;"), "{a:1,b:2}");
        // `exports` after `module.exports` was replaced is not what the module exports.
        assert_eq!(
            exports("module.exports = { a: 1 }; exports.b = 2;"),
            "{a:1}"
        );
        assert_eq!(
            exports(
                "function make() { const x = 1; return { x }; }\nmodule.exports = { make: make() };"
            ),
            "{make:{x:1}}"
        );
    }

    #[test]
    fn functions_are_called_with_their_arguments() {
        assert_eq!(
            exports(
                "const f = ({ a, b: { c } = { c: 'dflt' }, ...rest }, [x, , y], ...more) => ({ a, c, rest, x, y, more });\nexports.r = f({ a: 1, d: 4 }, [5, 6, 7], 8, 9);"
            ),
            r#"{r:{a:1,c:"dflt",rest:{d:4},x:5,y:7,more:[8,9]}}"#
        );
        assert_eq!(
            exports("const o = { a: { b: 1 } }; exports.r = [o?.a.b, o.x?.y, o.x?.()];"),
            "{r:[1,undefined,undefined]}"
        );
        // Calls of a function that recurses forever stop at the call depth.
        let r = exports("const f = (x) => f(x); exports.r = f(1);");
        assert!(r.contains("calls functions more than 64 deep"), "{r}");
        // An async function or a generator returns a promise or an iterator.
        let r = exports("const f = async () => 1; exports.r = f();");
        assert!(r.contains("async function"), "{r}");
    }

    #[test]
    fn what_only_running_would_give_is_unknown_with_its_reason() {
        let r = exports(
            "exports.r = [process.env.HUB, process.env.HUB, 1 + 2, f(), Math.max(1, 2), /x/];",
        );
        // The same read of the environment is the same unknown: one placeholder.
        let sym = r.split("#{@0:").nth(1).unwrap().split('}').next().unwrap();
        assert_eq!(r.matches(&format!("#{{@0:{sym}}}")).count(), 2, "{r}");
        for reason in [
            "`process.env.HUB` is read from the environment when GruCloud runs",
            "`1 + 2` is computed when GruCloud runs",
            "`f()` is a call peerlint doesn't run",
            "`Math.max(1, 2)` is a call peerlint doesn't run",
            "`/x/` is a value peerlint doesn't evaluate",
        ] {
            assert!(r.contains(reason), "{reason}: {r}");
        }
        // A template literal with an unknown part keeps the known text around a placeholder.
        let r = exports("exports.r = `vnet-${process.env.ENV}`;");
        assert!(r.contains("#vnet-{@0:"), "{r}");
        // `require` of rubico is a no-op; its helpers' calls are unknown; other modules too.
        let r = exports(
            "const { pipe } = require('rubico'); const pkg = require('./package.json');\nexports.r = [pipe([])(1), pkg.name];",
        );
        assert!(
            r.contains("a helper peerlint doesn't run")
                || r.contains("is a call peerlint doesn't run"),
            "{r}"
        );
        assert!(r.contains("loads another module"), "{r}");
        // A computed value in a function called twice is two unknowns, not one.
        let r = exports("const f = () => ({ v: g() }); exports.r = [f(), f()];");
        let syms: Vec<&str> = r.split('#').skip(1).collect();
        assert_eq!(syms.len(), 2, "{r}");
        assert_ne!(syms[0], syms[1], "{r}");
    }

    #[test]
    fn a_statement_peerlint_doesnt_run_makes_what_it_may_change_unknown() {
        let r = exports("exports.a = 1;\nif (process.env.X) { exports.a = 2; }\nexports.b = 3;");
        assert!(
            r.starts_with("{a:?(the statement `if (process.env.X) { exports.a = 2; }`"),
            "{r}"
        );
        assert!(r.ends_with(",b:3}"), "{r}");
        let r = exports("const a = { x: 1 };\na.x = 2;\nexports.a = a;");
        assert!(r.contains("changes a value peerlint can't follow"), "{r}");
        // A function whose body does more than declare and return returns an unknown.
        let r = exports("function f() { for (;;) {} return 1; }\nexports.r = f();");
        assert!(r.contains("is a statement peerlint doesn't run"), "{r}");
    }
}
