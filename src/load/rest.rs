//! REST / ARM GET responses: one resource with a `properties` wrapper, a list
//! `{"value": [...], "nextLink": ...}`, or an example file of the REST API specs
//! (`{"parameters": ..., "responses": {"200": {"body": ...}}}`), whose first successful
//! response body is the resource.

use super::resource::Extractor;
use crate::tree::{Kind, NodeId, Tree};

pub fn load(x: &mut Extractor<'_, Tree>, root: NodeId) {
    let t = x.tree;
    if let Some(responses) = t
        .get(root, "responses")
        .filter(|&r| t.kind(r) == Kind::Object)
    {
        // 200 and 201 bodies describe the same resource: take the first successful one.
        let mut codes: Vec<(&str, NodeId)> = t
            .members(responses)
            .filter(|(k, _)| k.starts_with('2'))
            .collect();
        codes.sort_by_key(|(k, _)| *k);
        if let Some(body) = codes.iter().find_map(|&(_, r)| t.get(r, "body")) {
            load(x, body);
        }
        return;
    }
    if t.kind(root) == Kind::Object
        && let Some(list) = t.get(root, "value").filter(|&v| t.kind(v) == Kind::Array)
    {
        x.resources_on_pool(list);
        return;
    }
    super::one_or_many(x, root);
}
