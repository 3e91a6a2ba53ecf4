// Three peering mistakes in one GruCloud design, without a config.js: the subscription is
// unknown (GruCloud reads AZURE_SUBSCRIPTION_ID), so ids carry a placeholder for it.
const vnet = (name, prefix) => ({
  type: "VirtualNetwork",
  group: "Network",
  properties: () => ({
    name,
    properties: { addressSpace: { addressPrefixes: [prefix] } },
  }),
  dependencies: () => ({ resourceGroup: "rg-net" }),
});

const peering = (from, name, to, flags) => ({
  type: "VirtualNetworkPeering",
  group: "Network",
  properties: ({ getId }) => ({
    name,
    properties: {
      allowVirtualNetworkAccess: true,
      ...flags,
      remoteVirtualNetwork: {
        id: getId({ type: "VirtualNetwork", group: "Network", name: `rg-net::${to}` }),
      },
    },
  }),
  dependencies: () => ({ resourceGroup: "rg-net", virtualNetwork: `rg-net::${from}` }),
});

exports.createResources = () => [
  // One-sided: vnet-a peers vnet-b, which has no peering back.
  vnet("vnet-a", "10.10.0.0/16"),
  vnet("vnet-b", "10.11.0.0/16"),
  peering("vnet-a", "a-to-b", "vnet-b", {}),
  // Overlap: vnet-c and vnet-d are peered both ways and share 10.20.128.0/17.
  vnet("vnet-c", "10.20.0.0/16"),
  vnet("vnet-d", "10.20.128.0/17"),
  peering("vnet-c", "c-to-d", "vnet-d", {}),
  peering("vnet-d", "d-to-c", "vnet-c", {}),
  // useRemoteGateways towards vnet-f, which has no gateway.
  vnet("vnet-e", "10.30.0.0/16"),
  vnet("vnet-f", "10.31.0.0/16"),
  peering("vnet-e", "e-to-f", "vnet-f", { useRemoteGateways: true }),
  peering("vnet-f", "f-to-e", "vnet-e", { allowGatewayTransit: true }),
];
