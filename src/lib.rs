//! profe-migrate: a declarative PostgreSQL schema-diff engine.
//!
//! The pipeline: desired SQL files are parsed and ordered (`source`), loaded into a shadow
//! database (`cluster` or a dev server) and read back with the same introspector as the
//! live database (`introspect`); both sides become a `catalog::Catalog`, `diff` turns the
//! pair into typed changes, `plan` orders them into steps and renders SQL, `apply` runs them.

pub mod apply;
pub mod audit;
pub mod backup;
pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod db;
pub mod diff;
pub mod error;
pub mod graph;
pub mod history;
pub mod introspect;
pub mod kind;
pub(crate) mod memory;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod seed;
pub mod serve;
pub mod source;
pub mod suggest;

pub use error::{Error, Result};
