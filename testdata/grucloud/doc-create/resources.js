// The "Create peering" example of GruCloud's VirtualNetworkPeering page, completed with
// its local and remote VirtualNetwork. The remote id keeps the page's `subid`.
exports.createResources = () => [
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    name: "myVirtualNetworkPeering",
    properties: () => ({
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: true,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: "/subscriptions/subid/resourceGroups/peerTest/providers/Microsoft.Network/virtualNetworks/vnet2",
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "myResourceGroup",
      virtualNetwork: "myVirtualNetwork",
    }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    name: "myVirtualNetwork",
    properties: () => ({
      properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
    }),
    dependencies: ({}) => ({ resourceGroup: "myResourceGroup" }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    name: "vnet2",
    properties: () => ({
      properties: { addressSpace: { addressPrefixes: ["10.1.0.0/16"] } },
    }),
    dependencies: ({}) => ({ resourceGroup: "peerTest" }),
  },
];
