// The "Sync Peering" example of GruCloud's VirtualNetworkPeering page (the same body as
// "Create peering": syncing is a query parameter of the REST call), completed with its local
// and remote VirtualNetwork and the peering back. The ids keep the page's `subid`.
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
    type: "VirtualNetworkPeering",
    group: "Network",
    name: "vnet2ToMyVirtualNetwork",
    properties: () => ({
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: true,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: "/subscriptions/subid/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVirtualNetwork",
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "peerTest",
      virtualNetwork: "vnet2",
    }),
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
