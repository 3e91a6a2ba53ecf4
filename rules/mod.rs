//! The rule list. Each rule lives in its own file, named after it
//! (`missing_reverse_peering.rs` is `missing-reverse-peering`), and is registered once below.

use crate::rule::Rule;

macro_rules! register_rules {
    ($($module:ident :: $rule:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every rule, in catalog order.
        pub static ALL: &[&dyn Rule] = &[$(&$module::$rule),*];
    };
}

register_rules! {
    // Address spaces
    invalid_address_prefix::InvalidAddressPrefix,
    overlapping_vnet_prefixes::OverlappingVnetPrefixes,
    subnet_outside_vnet::SubnetOutsideVnet,
    overlapping_subnets::OverlappingSubnets,
    reserved_address_range::ReservedAddressRange,
    invalid_subnet_size::InvalidSubnetSize,
    peered_address_overlap::PeeredAddressOverlap,
    overlap_with_remote_peer::OverlapWithRemotePeer,
    // Links
    missing_reverse_peering::MissingReversePeering,
    peering_not_connected::PeeringNotConnected,
    duplicate_remote_peering::DuplicateRemotePeering,
    self_peering::SelfPeering,
    invalid_remote_network_id::InvalidRemoteNetworkId,
    invalid_peering_name::InvalidPeeringName,
    peering_limit_exceeded::PeeringLimitExceeded,
    dangling_remote_network::DanglingRemoteNetwork,
    classic_network_peering::ClassicNetworkPeering,
    // Gateways
    multiple_remote_gateway_peerings::MultipleRemoteGatewayPeerings,
    remote_gateway_missing::RemoteGatewayMissing,
    remote_gateway_with_local_gateway::RemoteGatewayWithLocalGateway,
    remote_gateway_without_transit::RemoteGatewayWithoutTransit,
    gateway_transit_without_gateway::GatewayTransitWithoutGateway,
    conflicting_gateway_flags::ConflictingGatewayFlags,
    // Transitivity
    transitive_peering_assumed::TransitivePeeringAssumed,
    intent_violated::IntentViolated,
    forwarded_traffic_blocked::ForwardedTrafficBlocked,
    transit_address_overlap::TransitAddressOverlap,
    // Subnet peering
    unknown_peered_subnet::UnknownPeeredSubnet,
    subnet_peering_without_subnets::SubnetPeeringWithoutSubnets,
    asymmetric_subnet_peering::AsymmetricSubnetPeering,
    ipv6_only_peering_without_ipv6::Ipv6OnlyPeeringWithoutIpv6,
    too_many_peered_subnets::TooManyPeeredSubnets,
    // Exported state
    stale_peering_sync::StalePeeringSync,
    // Inputs and housekeeping
    invalid_syntax::InvalidSyntax,
    unrecognized_input::UnrecognizedInput,
    invalid_property_type::InvalidPropertyType,
    truncated_export::TruncatedExport,
    unresolved_value::UnresolvedValue,
    invalid_expression::InvalidExpression,
    conflicting_declarations::ConflictingDeclarations,
    invalid_spec::InvalidSpec,
}

/// The rule with this name.
pub fn by_name(name: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().name == name)
}
