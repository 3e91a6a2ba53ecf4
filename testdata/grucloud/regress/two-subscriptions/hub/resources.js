// The hub stack, in the subscription its config.js sets; each spoke is in a subscription of
// its own, read from the environment.
exports.createResources = () => [
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({}) => ({
      name: "vnet-hub",
      properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-hub" }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config }) => ({
      name: "hub-to-spoke1",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: false,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: `/subscriptions/${process.env.SPOKE1_SUBSCRIPTION}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-spoke`,
        },
      },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-hub", virtualNetwork: "rg-hub::vnet-hub" }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config }) => ({
      name: "hub-to-spoke2",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: false,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: `/subscriptions/${process.env.SPOKE2_SUBSCRIPTION}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-spoke`,
        },
      },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-hub", virtualNetwork: "rg-hub::vnet-hub" }),
  },
];
