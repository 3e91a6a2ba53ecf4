//! The model every loader produces: vnets, subnets, gateways and peerings, each field
//! remembering where in which file it came from.

use ipnet::IpNet;

use crate::prefix::Parsed;
use crate::source::{FileId, Span};
use crate::tree::{Kind, NodeId};

/// Where a value came from: a file, the node of its parse tree, and a byte range (usually the
/// node's own span).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
    /// One more than the parse-tree node, for JSON Pointers (`NO_NODE` for none); see
    /// [`Loc::node`]. Never zero: an `Option<Loc>` (in every flag of 30,000 peerings) is no
    /// larger than a `Loc`.
    node: std::num::NonZeroU32,
    /// For a value computed by a template expression: 1 + the index of the [`Origin`] it came
    /// from (a parameter's default, a parameters file's value); 0 for none.
    pub via: u32,
}

/// No node: after every node, as `u32::MAX` was before (locations sort the same).
const NO_NODE: std::num::NonZeroU32 = std::num::NonZeroU32::MAX;

impl Loc {
    pub fn new(file: FileId, span: Span, node: Option<NodeId>) -> Loc {
        Loc {
            file,
            span,
            // (A node index is below the text's length, at most `u32::MAX`.)
            node: node
                .and_then(|n| std::num::NonZeroU32::new(n.0.wrapping_add(1)))
                .unwrap_or(NO_NODE),
            via: 0,
        }
    }
    /// The parse-tree node the location is in, if any (kept as a bare index: `Loc` is in every
    /// model field, so 4 bytes matter at 10,000 vnets).
    pub fn node(&self) -> Option<NodeId> {
        (self.node != NO_NODE).then(|| NodeId(self.node.get() - 1))
    }
}

const _: () = assert!(std::mem::size_of::<Option<Loc>>() == std::mem::size_of::<Loc>());

/// Where a template value came from, shown beside findings on it.
#[derive(Clone, Debug)]
pub struct Origin {
    pub loc: Loc,
    /// "the value comes from the parameters file", ...
    pub text: String,
}

/// A value a template computes only at deployment (or from a parameter nobody gave): the
/// checks that need it can't run.
#[derive(Clone, Debug)]
pub struct Unresolved {
    /// The expression that could not be evaluated.
    pub loc: Loc,
    /// The resource it belongs to (its id, possibly with placeholders).
    pub resource: String,
    /// What the value is: "`addressPrefixes` of vnet `hub`".
    pub what: String,
    /// Why it is unknown: "parameter `hubPrefix` has no value".
    pub reason: String,
    /// What the unknown value keeps from the checks.
    pub blocks: Blocked,
}

/// What an unknown value keeps from the checks; `unresolved-value` turns it into the list of
/// rules it skipped, from the rules' [`needs`](crate::rule::RuleMeta::needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// One fact of the resource: the rules that need it could not check the resource.
    Fact(Fact),
    /// The resource itself (its copy count, name or linked template is unknown): no rule
    /// checked it.
    Resource,
    /// The resource's `condition`: the rules checked it as if it were deployed.
    AsIfDeployed,
}

/// A part of the model that rules read and that a template can leave unknown until
/// deployment. A rule declares the facts it reads (`needs` in
/// [`declare_rule!`](crate::declare_rule)); the loaders record which fact an unknown value
/// is, so the rules it skips come from the registry and never from a list of names.
///
/// A rule reads what its check looks at, itself or through what it uses: `peered_prefixes`
/// reads address spaces, subnet lists and subnet prefixes; reachability (intents, routes to
/// appliances) reads address spaces, subnets, their prefixes, the links, subnet-peering lists
/// and `useRemoteGateways`. A rule that walks a vnet's subnets reads [`Fact::Subnets`] (an
/// unknown `subnets` hides them all); one that walks a vnet's peerings or follows links
/// between vnets (a reverse peering, neighbours) reads [`Fact::Peerings`]. A rule that checks
/// each peering on its own reads only that peering's facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// A vnet's address space (`addressSpace.addressPrefixes`).
    AddressSpace,
    /// Which subnets a vnet has (`subnets`).
    Subnets,
    /// A subnet's prefixes (`addressPrefix`, `addressPrefixes`).
    SubnetPrefixes,
    /// A subnet's name: a rule that looks a subnet up by name can't say it is missing.
    SubnetNames,
    /// Which peerings a vnet has (`virtualNetworkPeerings`), and so the links between vnets.
    Peerings,
    /// A peering's remote vnet (`remoteVirtualNetwork.id`).
    RemoteVnet,
    /// A peering's name.
    PeeringName,
    /// A subnet peering's `localSubnetNames` and `remoteSubnetNames`.
    PeeredSubnetNames,
    /// A peering's `useRemoteGateways`.
    UseRemoteGateways,
    /// A peering's `allowGatewayTransit`.
    AllowGatewayTransit,
    /// A peering's `peerCompleteVnets` (false: a subnet peering).
    PeerCompleteVnets,
    /// A peering's `enableOnlyIPv6Peering`.
    OnlyIpv6,
    /// Where a gateway or Route Server is: the vnet its ip configuration's subnet is in.
    Gateways,
    /// The name of the subnet a gateway's ip configuration is in.
    GatewaySubnet,
    /// A gateway's `gatewayType` (VPN or ExpressRoute).
    GatewayKind,
    /// A gateway's SKU (`sku.name`, `sku.tier`).
    GatewaySku,
    /// What a template resource waits for before it is deployed (`dependsOn`).
    DependsOn,
    /// The `apiVersion` a template deploys a resource with.
    ApiVersion,
}

impl Fact {
    pub const ALL: [Fact; 18] = [
        Fact::AddressSpace,
        Fact::Subnets,
        Fact::SubnetPrefixes,
        Fact::SubnetNames,
        Fact::Peerings,
        Fact::RemoteVnet,
        Fact::PeeringName,
        Fact::PeeredSubnetNames,
        Fact::UseRemoteGateways,
        Fact::AllowGatewayTransit,
        Fact::PeerCompleteVnets,
        Fact::OnlyIpv6,
        Fact::Gateways,
        Fact::GatewaySubnet,
        Fact::GatewayKind,
        Fact::GatewaySku,
        Fact::DependsOn,
        Fact::ApiVersion,
    ];

    /// How `peerlint rule` names it: "address space".
    pub fn text(self) -> &'static str {
        match self {
            Fact::AddressSpace => "address space",
            Fact::Subnets => "subnets",
            Fact::SubnetPrefixes => "subnet prefixes",
            Fact::SubnetNames => "subnet names",
            Fact::Peerings => "peerings",
            Fact::RemoteVnet => "remote vnet",
            Fact::PeeringName => "peering name",
            Fact::PeeredSubnetNames => "peered subnet names",
            Fact::UseRemoteGateways => "`useRemoteGateways`",
            Fact::AllowGatewayTransit => "`allowGatewayTransit`",
            Fact::PeerCompleteVnets => "`peerCompleteVnets`",
            Fact::OnlyIpv6 => "`enableOnlyIPv6Peering`",
            Fact::Gateways => "gateway placement",
            Fact::GatewaySubnet => "gateway subnet",
            Fact::GatewayKind => "`gatewayType`",
            Fact::GatewaySku => "gateway SKU",
            Fact::DependsOn => "`dependsOn`",
            Fact::ApiVersion => "`apiVersion`",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VnetId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeeringId(pub u32);

/// A route: its table (an index into the graph's route tables) and its place in that table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteId {
    pub table: u32,
    pub route: u32,
}

/// One address prefix as written.
#[derive(Clone, Debug)]
pub struct Prefix {
    /// Boxed text (16 bytes, not 24): 100,000 prefixes in a 10,000-vnet estate.
    pub text: Box<str>,
    pub parsed: PrefixValue,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrefixValue {
    Parsed(Parsed),
    /// Not a string at all (a number where a prefix belongs).
    WrongType(Kind),
    /// Computed by a template expression only at deployment.
    Unresolved,
}

impl Prefix {
    /// The network, when the prefix is valid CIDR.
    pub fn net(&self) -> Option<IpNet> {
        match self.parsed {
            PrefixValue::Parsed(Parsed::Valid(n)) => Some(n),
            _ => None,
        }
    }
    pub fn is_valid(&self) -> bool {
        self.net().is_some()
    }
}

/// A list of prefixes and where the list itself is.
#[derive(Clone, Debug)]
pub struct PrefixList {
    pub prefixes: Vec<Prefix>,
    pub loc: Loc,
}

impl PrefixList {
    pub fn nets(&self) -> impl Iterator<Item = IpNet> + '_ {
        self.prefixes.iter().filter_map(Prefix::net)
    }
    pub fn all_valid(&self) -> bool {
        self.prefixes.iter().all(Prefix::is_valid)
    }
}

#[derive(Clone, Debug)]
pub struct Subnet {
    pub name: String,
    pub loc: Loc,
    pub name_loc: Loc,
    pub prefixes: Option<PrefixList>,
    /// The route table associated with the subnet: its id and where it is named.
    pub route_table: Option<(String, Loc)>,
}

/// A user-defined route (kept for the transitivity checks).
#[derive(Clone, Debug)]
pub struct Route {
    pub name: String,
    pub loc: Loc,
    pub prefix: Option<Prefix>,
    /// `VirtualAppliance`, `VirtualNetworkGateway`, `VnetLocal`, `Internet`, `None`.
    pub next_hop_type: Option<(String, Loc)>,
    /// The appliance's address, for `VirtualAppliance`.
    pub next_hop_ip: Option<(String, Loc)>,
    /// A template computes `nextHopType` or `nextHopIpAddress` only at deployment (a
    /// `reference()`, a parameter without a value): where the route sends traffic is unknown.
    pub next_hop_unknown: bool,
}

/// A route table and its routes.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Canonical lower-case id.
    pub key: String,
    pub id: String,
    pub name: String,
    pub loc: Loc,
    pub routes: Vec<Route>,
    /// A template computes the `routes` list only at deployment: the table's routes are unknown.
    pub routes_unknown: bool,
}

impl Subnet {
    pub fn nets(&self) -> impl Iterator<Item = IpNet> + '_ {
        self.prefixes.iter().flat_map(|p| p.nets())
    }
}

/// What is attached to a vnet as its gateway (P14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayKind {
    /// A virtual network gateway with `gatewayType: Vpn`.
    Vpn,
    /// A virtual network gateway with `gatewayType: ExpressRoute`.
    ExpressRoute,
    /// A virtual network gateway whose type the input doesn't say (an export's subnet ip
    /// configuration names only the gateway) or a template computes only at deployment.
    Unknown,
    /// An Azure Route Server (`virtualHubs` without `virtualWan`, in `RouteServerSubnet`).
    RouteServer,
}

impl GatewayKind {
    /// A VPN or ExpressRoute gateway (of a known kind or not), as opposed to a Route Server.
    pub fn is_virtual_network_gateway(self) -> bool {
        self != GatewayKind::RouteServer
    }
}

/// Adds a gateway to a list unless one with the same id is there already; then what the new
/// description knows and the old one didn't (its kind, SKU, subnet) is added to it.
pub fn add_gateway(list: &mut Vec<Gateway>, gateway: Gateway) {
    match list
        .iter_mut()
        .find(|g| g.id.eq_ignore_ascii_case(&gateway.id))
    {
        Some(old) => {
            if old.kind == GatewayKind::Unknown && gateway.kind != GatewayKind::RouteServer {
                old.kind = gateway.kind;
            }
            if old.sku.is_none() {
                old.sku = gateway.sku;
            }
            if old.subnet.is_none() {
                old.subnet = gateway.subnet;
            }
        }
        None => list.push(gateway),
    }
}

/// Evidence that a vnet has a gateway.
#[derive(Clone, Debug)]
pub struct Gateway {
    pub kind: GatewayKind,
    /// The gateway's (or its ip configuration's) id, as written.
    pub id: String,
    pub loc: Loc,
    /// Its SKU (`sku.name`, else `sku.tier`), when the input says.
    pub sku: Option<(String, Loc)>,
    /// The subnet its ip configuration is in (the name, where the subnet id is), when known.
    pub subnet: Option<(String, Loc)>,
}

impl Gateway {
    /// The gateway's name: the last segment of its id.
    pub fn name(&self) -> &str {
        self.id.rsplit('/').next().unwrap_or(&self.id)
    }
}

#[derive(Clone, Debug)]
pub struct Vnet {
    /// Canonical lower-case id, the identity.
    pub key: String,
    /// The id as first written.
    pub id: String,
    pub name: String,
    /// False for a vnet only referenced as the remote of a peering.
    pub defined: bool,
    /// The vnet object (for a referenced-only vnet, the first reference).
    pub loc: Loc,
    pub name_loc: Option<Loc>,
    pub address_space: Option<PrefixList>,
    pub subnets: Vec<Subnet>,
    pub gateways: Vec<Gateway>,
    /// Outgoing peerings, in input order.
    pub peerings: Vec<PeeringId>,
    /// Other places the same vnet was defined (a second export of it).
    pub also_defined_at: Vec<Loc>,
    /// Gateways a template declares for the vnet but doesn't deploy (condition false):
    /// name, the condition, the value that decided it.
    pub absent_gateways: Vec<(String, Loc, Loc)>,
    /// Forwarding devices (NVAs, firewalls) a design spec places in the vnet.
    pub appliances: Vec<Appliance>,
    /// Owned elsewhere (a spec's `external: true`): its own peerings are not expected.
    pub external: bool,
}

/// A forwarding device (NVA, Azure Firewall) and its private address.
#[derive(Clone, Debug)]
pub struct Appliance {
    pub name: String,
    /// None when Azure assigns it at deployment (a GruCloud Azure Firewall's).
    pub ip: Option<std::net::IpAddr>,
    pub loc: Loc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntentKind {
    Allow,
    Deny,
}

/// One side of an intent, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A vnet, by name or id.
    Vnet(String),
    /// `vnet/subnet`.
    Subnet(String, String),
    /// A CIDR prefix or address.
    Prefix(IpNet),
}

/// A design spec's `mesh` that was not expanded into its peerings (too many of them: see
/// `load::spec`). Its vnets' lists of peerings are partial, so nothing is concluded from a
/// link between two of them being absent.
#[derive(Clone, Debug)]
pub struct Mesh {
    /// The `mesh` item.
    pub loc: Loc,
    /// Its vnets, each once.
    pub vnets: Vec<VnetId>,
}

/// What must (allow) or must not (deny) reach what.
#[derive(Clone, Debug)]
pub struct Intent {
    pub kind: IntentKind,
    pub from: Vec<(Endpoint, Loc)>,
    pub to: Vec<(Endpoint, Loc)>,
    pub why: Option<String>,
    /// The intent item.
    pub loc: Loc,
}

impl Vnet {
    /// Where to point at the vnet: its name, else the object.
    pub fn label_loc(&self) -> Loc {
        self.name_loc.unwrap_or(self.loc)
    }
    pub fn has_gateway(&self) -> bool {
        !self.gateways.is_empty()
    }
    pub fn subnet(&self, name: &str) -> Option<&Subnet> {
        self.subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }
    pub fn space_nets(&self) -> impl Iterator<Item = IpNet> + '_ {
        self.address_space.iter().flat_map(|p| p.nets())
    }
}

/// A boolean peering property: its value and, when written, where.
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    pub value: bool,
    /// None when the property was absent and the default applies.
    pub loc: Option<Loc>,
    /// The template computes it only at deployment: `value` is the default, and checks that
    /// need the real value must not conclude anything from it.
    pub unresolved: bool,
}

impl Flag {
    pub fn default_to(value: bool) -> Flag {
        Flag {
            value,
            loc: None,
            unresolved: false,
        }
    }
    pub fn new(value: bool, loc: Loc) -> Flag {
        Flag {
            value,
            loc: Some(loc),
            unresolved: false,
        }
    }
}

/// A list of subnet names on a subnet peering.
#[derive(Clone, Debug)]
pub struct NameList {
    pub names: Vec<(String, Loc)>,
    pub loc: Loc,
    /// The list, or some of its names, is computed only at deployment: `names` holds the
    /// known ones, and checks that need the whole list skip it.
    pub incomplete: bool,
}

#[derive(Clone, Debug)]
pub enum Remote {
    /// No `remoteVirtualNetwork.id` at all.
    Missing,
    /// Present but not a virtual network id.
    /// (Boxed texts: they keep `Remote`, in every peering, at 48 bytes.)
    Invalid {
        text: Box<str>,
        reason: Box<str>,
        loc: Loc,
    },
    /// A classic (ASM) vnet.
    Classic { text: Box<str>, loc: Loc },
    /// An ARM vnet (defined in the inputs or not: see [`Vnet::defined`]).
    Vnet { vnet: VnetId, loc: Loc },
    /// A template expression computes it only at deployment.
    Unresolved { loc: Loc },
}

#[derive(Clone, Debug)]
pub struct Peering {
    /// The full id as written or derived (`<vnet id>/virtualNetworkPeerings/<name>`).
    pub id: String,
    pub name: String,
    pub name_loc: Option<Loc>,
    /// False when the name holds placeholders for values known only at deployment.
    pub name_known: bool,
    /// The peering object.
    pub loc: Loc,
    pub local: VnetId,
    pub remote: Remote,
    pub allow_virtual_network_access: Flag,
    pub allow_forwarded_traffic: Flag,
    pub allow_gateway_transit: Flag,
    pub use_remote_gateways: Flag,
    pub do_not_verify_remote_gateways: Flag,
    pub peer_complete_vnets: Flag,
    pub only_ipv6: Flag,
    /// Boxed: rare (subnet peering), and a peering is in memory 30,000 times in an estate.
    pub local_subnets: Option<Box<NameList>>,
    pub remote_subnets: Option<Box<NameList>>,
    pub state: Option<(Box<str>, Loc)>,
    pub sync_level: Option<(Box<str>, Loc)>,
    /// The exported copy of the remote space this link programs (`remoteAddressSpace`).
    pub remote_address_space: Option<PrefixList>,
    /// The exported copy of the remote vnet's current space.
    pub remote_vnet_address_space: Option<PrefixList>,
    /// Read-only `remoteGateways[]`: gateways the remote side has.
    pub remote_gateways: Vec<Loc>,
    /// The `apiVersion` the peering is deployed with (a template's: the peering resource's, or
    /// for a peering written inside its vnet, the vnet's).
    /// Boxed: templates only.
    pub api_version: Option<Box<(String, Loc)>>,
}

impl Peering {
    pub fn remote_vnet(&self) -> Option<VnetId> {
        match self.remote {
            Remote::Vnet { vnet, .. } => Some(vnet),
            _ => None,
        }
    }
    pub fn remote_loc(&self) -> Loc {
        match &self.remote {
            Remote::Invalid { loc, .. }
            | Remote::Classic { loc, .. }
            | Remote::Vnet { loc, .. }
            | Remote::Unresolved { loc } => *loc,
            Remote::Missing => self.label_loc(),
        }
    }
    /// Where to point at the peering: its name, else the object.
    pub fn label_loc(&self) -> Loc {
        self.name_loc.unwrap_or(self.loc)
    }
    pub fn is_subnet_peering(&self) -> bool {
        !self.peer_complete_vnets.value
    }
    /// The subnet peering's two name lists with their property names: local side first.
    pub fn subnet_lists(&self) -> [(&Option<Box<NameList>>, &'static str); 2] {
        [
            (&self.local_subnets, "localSubnetNames"),
            (&self.remote_subnets, "remoteSubnetNames"),
        ]
    }
    /// Where a flag is written, or the peering object when it was left at its default.
    pub fn flag_loc(&self, flag: &Flag) -> Loc {
        flag.loc.unwrap_or(self.label_loc())
    }
}

/// What a Terraform plan or state says of a vnet or peering beside what it describes: its
/// address and, in a plan, its change (the plan-diff rules read it).
#[derive(Clone, Debug)]
pub struct TfResource {
    /// `module.spoke["a"].azurerm_virtual_network_peering.to_hub`
    pub address: String,
    /// Managed by the azurerm provider (else by azapi).
    pub azurerm: bool,
    pub change: Option<PlannedChange>,
}

/// A resource's change in a Terraform plan.
#[derive(Clone, Debug)]
pub struct PlannedChange {
    pub action: PlannedAction,
    /// The change's `actions`.
    pub loc: Loc,
    /// The attributes that force a replacement (`replace_paths`, dotted).
    pub replaced_because: Vec<String>,
    /// A vnet's address space before the change, and where.
    pub before_address_space: Option<(Vec<String>, Loc)>,
    /// A peering's remote vnet id before the change, and where.
    pub before_remote: Option<(String, Loc)>,
    /// The resource's id before the change (what a replacement deletes).
    pub before_id: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlannedAction {
    /// Unchanged: the resource is kept as it is.
    NoOp,
    Create,
    /// Changed in place.
    Update,
    /// Deleted and created again.
    Replace,
    /// Read (a data source).
    Other,
}

/// What a template deploys before what (`dependsOn`, `reference()`), for the deploy-time
/// rules: the order of one deployment of one template, kept only when it deploys a gateway
/// and a peering that uses a remote gateway.
#[derive(Clone, Debug, Default)]
pub struct DeployOrder {
    /// Every resource the deployment creates, of any type, nested deployments included.
    pub steps: Vec<DeployStep>,
    /// The gateways and Route Servers it deploys (under no condition, or one that holds).
    pub gateways: Vec<OrderedGateway>,
    /// The peerings it deploys with `useRemoteGateways: true`, one per declaration: a peering
    /// written inside its vnet and again as a child resource is sent twice.
    pub remote_gateway_uses: Vec<RemoteGatewayUse>,
}

/// One resource of a [`DeployOrder`].
#[derive(Clone, Debug, Default)]
pub struct DeployStep {
    /// The steps it waits for (indexes into [`DeployOrder::steps`]).
    pub after: Vec<u32>,
    /// The nested deployment it is declared in: it starts only when that deployment starts.
    pub within: Option<u32>,
    /// A nested deployment: it finishes only when everything declared in it has.
    pub deployment: bool,
    /// It has a `dependsOn` entry that can't be known offline: it may wait for anything.
    pub unknown: bool,
}

/// A gateway (or Route Server) a template deploys.
#[derive(Clone, Debug)]
pub struct OrderedGateway {
    pub step: u32,
    /// The vnet it is attached to (canonical key).
    pub vnet: String,
    pub name: String,
    pub loc: Loc,
}

/// A declaration of a peering with `useRemoteGateways: true` in a template.
#[derive(Clone, Debug)]
pub struct RemoteGatewayUse {
    /// The resource that sends it (the peering, or the vnet it is written in).
    pub step: u32,
    /// The peering's id.
    pub peering: String,
    /// `vnet/peering`, for messages.
    pub name: String,
    /// The remote vnet (canonical key), and its name as written.
    pub remote: String,
    pub remote_name: String,
    /// The `useRemoteGateways` value.
    pub loc: Loc,
}

/// A problem with an input file found while loading it: what is wrong and where, as data.
/// The input rules match the variants and word them (loaders write no sentences).
#[derive(Clone, Debug)]
pub enum Problem {
    /// Not valid JSON or YAML: the parser's own message.
    Syntax {
        loc: Loc,
        format: Format,
        detail: String,
    },
    /// Bytes that aren't text: the decoder's message and the first bad byte.
    NotText {
        loc: Loc,
        detail: String,
        offset: usize,
    },
    /// A file named on the command line that matches no input shape (`loc` is its start).
    Unrecognized {
        loc: Loc,
        /// The file's path as shown.
        path: String,
        why: UnrecognizedWhy,
    },
    /// A property of the wrong JSON type.
    PropertyType {
        loc: Loc,
        /// The property (`subnets[]` for an item of `subnets`, `remoteVirtualNetwork.id`).
        property: String,
        expected: Kind,
        found: Kind,
    },
    /// A standalone peering whose `id` (missing, or at `loc`) doesn't name its vnet.
    StandalonePeeringId { loc: Loc },
    /// A PowerShell export cut off by `ConvertTo-Json`'s depth: a .NET type name stands
    /// where an object belongs.
    Truncated { loc: Loc, type_name: String },
    /// A template expression Resource Manager would reject: the evaluator's message about it.
    /// `limit`: evaluation stopped at one of peerlint's own limits (depth, size, copies), set
    /// far beyond any template Resource Manager deploys.
    Expression {
        loc: Loc,
        detail: String,
        limit: bool,
    },
    /// A template deploying one resource twice in one deployment (Resource Manager rejects
    /// it): where the first and the second declaration name it (the same place for two
    /// iterations of one copy loop).
    DuplicateResource {
        loc: Loc,
        /// The type as written, and the name.
        ty: String,
        name: String,
        second: Loc,
    },
    /// Two descriptions of one thing that disagree.
    Conflict(Conflict),
    /// A key given twice in one object of an input (compared ignoring ASCII case), with
    /// different values: peerlint reads the first; `loc` is the later key, which it ignores.
    DuplicateKey { loc: Loc, key: String, first: Loc },
    /// A design spec that doesn't follow the spec's schema.
    Spec(SpecProblem),
}

/// The format a file was parsed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    /// A GruCloud `resources.js` or its `config.js`.
    JavaScript,
}

/// Why a file named on the command line is not an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnrecognizedWhy {
    /// A YAML file without `peerlint:`.
    YamlNotSpec,
    /// JSON holding no vnet, peering or gateway in a shape peerlint reads.
    NoResources,
    /// An ARM parameters file (named, or met in a folder) that no template of the run uses.
    UnpairedParameters,
    /// JavaScript that exports no GruCloud `createResources`.
    NotGruCloud,
    /// `terraform show -json` output of a `format_version` peerlint doesn't read (2.x):
    /// `loc` is the version.
    TerraformFormat,
}

/// Two descriptions of one vnet, subnet, peering or route that disagree.
#[derive(Clone, Debug)]
pub enum Conflict {
    /// A template declares a subnet, peering or route both inline in its parent's list and as
    /// a child resource (`az group export` writes both), with different values of `key`.
    Copies {
        /// The child resource's value.
        loc: Loc,
        what: Child,
        /// The child resource's name (`vnet/subnet`).
        name: String,
        key: &'static str,
        /// The child resource's value and the inline copy's, as text.
        here: String,
        other: String,
        other_loc: Loc,
    },
    /// Two inputs give one vnet different address spaces (each sorted).
    AddressSpaces {
        /// The second input's address space.
        loc: Loc,
        vnet: String,
        here: Vec<ipnet::IpNet>,
        other: Vec<ipnet::IpNet>,
        other_loc: Loc,
    },
    /// A design spec and another input disagree about whether a vnet has a gateway.
    Gateways {
        /// The spec's `gateway`.
        loc: Loc,
        vnet: String,
        /// Whether the spec gives it a gateway, and whether the other input does.
        here: bool,
        other: bool,
        /// The other input's gateway, else its vnet.
        other_loc: Loc,
    },
}

/// What a template declares twice: a child resource kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Child {
    Subnet,
    Peering,
    Route,
}

/// A design spec's departure from the spec's schema.
#[derive(Clone, Debug)]
pub enum SpecProblem {
    /// `peerlint:` is not `1`.
    Version { loc: Loc },
    /// A key the place doesn't take (`loc` is the key).
    UnknownKey {
        loc: Loc,
        key: String,
        place: SpecPlace,
        /// The allowed key the unknown one is probably a typo of.
        suggestion: Option<&'static str>,
        /// The keys the place takes.
        expected: Vec<&'static str>,
    },
    /// A key's value of the wrong type.
    WrongType {
        loc: Loc,
        key: &'static str,
        expected: Kind,
        found: Kind,
    },
    /// A value not of the form its place needs.
    WrongForm { loc: Loc, value: SpecValue },
    /// A name of something the spec doesn't declare.
    Undeclared { loc: Loc, reference: SpecRef },
    /// A second vnet of the same name (compared case-insensitively).
    DuplicateVnet { loc: Loc, name: String },
    /// A value of the right form that isn't a valid one.
    Invalid { loc: Loc, value: SpecInvalid },
    /// A required part left out.
    Missing { loc: Loc, field: SpecField },
    /// A `mesh` that peerlint did not expand into its peerings: each vnet would have more
    /// peerings than Azure allows (`over_limit`), or the spec's meshes would make more
    /// peerings than peerlint generates (`budget`).
    MeshNotExpanded {
        loc: Loc,
        vnets: usize,
        over_limit: bool,
        budget: usize,
    },
}

/// Where in a spec a key is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecPlace {
    /// The top level.
    Spec,
    Defaults,
    Vnet(String),
    Subnet {
        vnet: String,
        subnet: String,
    },
    /// `defaults.peering`, or a `peer` item's own fields.
    PeeringSettings,
    /// A topology item holding `hub_and_spoke`.
    HubAndSpokeItem,
    /// The `hub_and_spoke` mapping.
    HubAndSpoke,
    MeshItem,
    PeerItem,
    /// A `peer` item's `subnets`.
    PeerSubnets,
    /// An intent item, or its `allow`/`deny` mapping.
    Intent,
}

/// The spec values [`SpecProblem::WrongForm`] is about, each with the form it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecValue {
    /// A vnet of `vnets`: a mapping.
    Vnet(String),
    /// A subnet: a prefix or a mapping.
    Subnet { vnet: String, subnet: String },
    /// A topology item: a mapping.
    TopologyItem,
    /// `hub_and_spoke`: a mapping.
    HubAndSpoke,
    /// `mesh`: a list.
    Mesh,
    /// `peer`: a string.
    Peer,
    /// A route's next hop: a string.
    NextHop,
    /// An intent item: a mapping.
    Intent,
    /// `allow`/`deny`: a mapping.
    IntentBody,
    /// An endpoint of an intent: a string.
    Endpoint,
}

/// A reference to something the spec doesn't declare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecRef {
    Vnet {
        name: String,
        suggestion: Option<String>,
    },
    Subnet {
        vnet: String,
        subnet: String,
    },
    Appliance {
        vnet: String,
        appliance: String,
        suggestion: Option<String>,
    },
}

/// A spec value that isn't a valid one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecInvalid {
    /// A vnet's `id` that isn't a virtual network id.
    VnetId { vnet: String },
    /// An appliance whose value isn't an IP address.
    ApplianceIp { vnet: String, appliance: String },
    /// A `gateway` that isn't a known kind, as written.
    Gateway(String),
    /// A `peer` link without `<->` or `->`.
    PeerLink(String),
    /// A next hop that is neither `vnet/appliance`, an IP address nor `gateway`.
    NextHop(String),
    /// A topology item of no known kind: its first key (empty for none).
    TopologyItem {
        key: String,
        suggestion: Option<&'static str>,
    },
}

/// A required part of a spec left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecField {
    /// `hub_and_spoke`'s `hub`.
    Hub,
    /// An intent's one of `allow` and `deny` (none, or both).
    AllowOrDeny,
    /// `allow`/`deny`'s `from` and `to`.
    FromAndTo,
}
