// The network stack: hub and spoke, the spoke using the hub's gateway (in the gateway stack).
exports.createResources = () => [
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({ config }) => ({
      name: "vnet-hub",
      location: config.location,
      properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-hub" }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config, getId }) => ({
      name: "h2s",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: true,
        allowGatewayTransit: true,
        useRemoteGateways: false,
        remoteVirtualNetwork: { id: getId({ type: "VirtualNetwork", group: "Network", name: "rg-spoke::vnet-spoke" }) },
      },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-hub", virtualNetwork: "rg-hub::vnet-hub" }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({ config }) => ({
      name: "vnet-spoke",
      location: config.location,
      properties: { addressSpace: { addressPrefixes: ["10.1.0.0/16"] } },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-spoke" }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config, getId }) => ({
      name: "s2h",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: true,
        allowGatewayTransit: false,
        useRemoteGateways: true,
        remoteVirtualNetwork: { id: getId({ type: "VirtualNetwork", group: "Network", name: "rg-hub::vnet-hub" }) },
      },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-spoke", virtualNetwork: "rg-spoke::vnet-spoke" }),
  },
];
