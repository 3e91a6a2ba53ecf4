// Spoke 2: a stack deployed to its own subscription (AZURE_SUBSCRIPTION_ID), with the same
// resource group and vnet names as the other spoke.
exports.createResources = () => [
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({}) => ({
      name: "vnet-spoke",
      properties: { addressSpace: { addressPrefixes: ["10.2.0.0/16"] } },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-network" }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config }) => ({
      name: "spoke2-to-hub",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: false,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub`,
        },
      },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-network", virtualNetwork: "rg-network::vnet-spoke" }),
  },
];
