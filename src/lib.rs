//! peerlint: checks Azure virtual-network peering designs before they are deployed.
//!
//! Data flows one way: files → spanned parse tree ([`tree`]) → loaders ([`load`], which have
//! templates evaluated by [`arm`]) → model and graph ([`model`], [`graph`]), with the analyses
//! rules share ([`analysis`], [`reach`]) → rules ([`rules`]) → diagnostics ([`diagnostic`]) →
//! the configuration and baseline applied to them ([`config`], [`filter`], [`baseline`]) →
//! one renderer ([`render`]).

pub mod analysis;
pub mod arm;
pub mod baseline;
pub(crate) mod calendar;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod filter;
pub mod fingerprint;
pub(crate) mod graph;
pub(crate) mod id;
pub mod js;
pub mod json;
pub mod load;
pub mod model;
pub(crate) mod pool;
pub(crate) mod prefix;
pub mod query;
pub(crate) mod reach;
pub mod render;
pub mod rule;
pub mod source;
pub(crate) mod suggest;
pub mod tree;
pub mod yaml;

// The rules live in the top-level `rules/` folder, one file per rule, so that they are easy to
// find and review; `#[path]` mounts that folder as this crate's `rules` module.
#[path = "../rules/mod.rs"]
pub mod rules;
