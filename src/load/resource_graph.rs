//! `az graph query` results: `{"count", "data": [rows], "skip_token", "total_records"}`.
//! Rows are unprojected `resources` rows: REST shape with a lower-case `type`. Peerings come
//! embedded in their vnets; gateway rows attach to their vnets.

use super::resource::Extractor;
use crate::tree::{NodeId, Tree};

pub fn load(x: &mut Extractor<'_, Tree>, root: NodeId) {
    if let Some(data) = x.tree.get(root, "data") {
        x.resources_on_pool(data);
    }
}
