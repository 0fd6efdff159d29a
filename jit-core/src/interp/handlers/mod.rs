//! The instruction handlers, one file per group of families of the instruction table;
//! see [`super::dispatch`] for which instruction goes where.

mod arith;
mod calls;
mod control;
mod data;
mod stack;
