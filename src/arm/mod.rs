//! ARM templates (authored, exported, Bicep-compiled): evaluated the way Resource Manager
//! would, offline, so the rules see the resources a deployment would create.

pub mod eval;
pub mod expr;
mod func;
pub mod value;
pub mod doc;
pub mod template;

pub use func::dotnet_format;
