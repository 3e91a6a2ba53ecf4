// A hub whose VPN gateway is managed in another GruCloud stack: the hub's GatewaySubnet is
// here, the gateway in it is not. The spoke uses the hub's gateway, which deploys fine.
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
    type: "Subnet",
    group: "Network",
    properties: ({}) => ({
      name: "GatewaySubnet",
      properties: { addressPrefix: "10.0.0.0/27" },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-hub",
      virtualNetwork: "rg-hub::vnet-hub",
    }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({}) => ({
      name: "vnet-spoke",
      properties: { addressSpace: { addressPrefixes: ["10.1.0.0/16"] } },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-spoke" }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ getId }) => ({
      name: "hub-to-spoke",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: true,
        allowGatewayTransit: true,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: getId({
            type: "VirtualNetwork",
            group: "Network",
            name: "rg-spoke::vnet-spoke",
          }),
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-hub",
      virtualNetwork: "rg-hub::vnet-hub",
    }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ getId }) => ({
      name: "spoke-to-hub",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: true,
        allowGatewayTransit: false,
        useRemoteGateways: true,
        remoteVirtualNetwork: {
          id: getId({
            type: "VirtualNetwork",
            group: "Network",
            name: "rg-hub::vnet-hub",
          }),
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-spoke",
      virtualNetwork: "rg-spoke::vnet-spoke",
    }),
  },
];
