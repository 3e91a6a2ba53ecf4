//! `az network vnet list` (an array), `az network vnet show` (one object) and
//! `az network vnet peering list` (an array of peerings whose vnet comes from their ids).
//! Properties are flattened; old CLI versions print `null` for empty lists.

use super::resource::Extractor;
use crate::tree::{NodeId, Tree};

pub fn load(x: &mut Extractor<'_, Tree>, root: NodeId) {
    super::one_or_many(x, root);
}
