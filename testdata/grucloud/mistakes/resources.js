// Three peering mistakes, written as `gc gencode` writes resources: a one-sided peering
// (a -> b), peered vnets that overlap (c <-> d), and useRemoteGateways towards a vnet
// without a gateway (e -> f). The remote vnets are named three ways: by id, by a template
// literal with `config.subscriptionId`, and with `getId`.
exports.createResources = () => [
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({ config }) => ({
      name: "vnet-a",
      location: config.location,
      properties: {
        addressSpace: {
          addressPrefixes: ["10.10.0.0/16"],
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
    }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({ config }) => ({
      name: "vnet-b",
      location: config.location,
      properties: {
        addressSpace: {
          addressPrefixes: ["10.11.0.0/16"],
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
    }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({ config }) => ({
      name: "vnet-c",
      location: config.location,
      properties: {
        addressSpace: {
          addressPrefixes: ["10.20.0.0/16"],
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
    }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({ config }) => ({
      name: "vnet-d",
      location: config.location,
      properties: {
        addressSpace: {
          addressPrefixes: ["10.20.128.0/17"],
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
    }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({ config }) => ({
      name: "vnet-e",
      location: config.location,
      properties: {
        addressSpace: {
          addressPrefixes: ["10.30.0.0/16"],
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
    }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: ({ config }) => ({
      name: "vnet-f",
      location: config.location,
      properties: {
        addressSpace: {
          addressPrefixes: ["10.31.0.0/16"],
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
    }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config, getId }) => ({
      name: "a-to-b",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: false,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: "/subscriptions/0b7c2e1a-5d3f-4e8a-9c6b-1f2a3b4c5d6e/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-b",
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
      virtualNetwork: "rg-net::vnet-a",
    }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config, getId }) => ({
      name: "c-to-d",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: false,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: `/subscriptions/${config.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-d`,
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
      virtualNetwork: "rg-net::vnet-c",
    }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config, getId }) => ({
      name: "d-to-c",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: false,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: `${getId({
            type: "VirtualNetwork",
            group: "Network",
            name: "rg-net::vnet-c",
          })}`,
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
      virtualNetwork: "rg-net::vnet-d",
    }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config, getId }) => ({
      name: "e-to-f",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: false,
        allowGatewayTransit: false,
        useRemoteGateways: true,
        remoteVirtualNetwork: {
          id: `${getId({
            type: "VirtualNetwork",
            group: "Network",
            name: "rg-net::vnet-f",
          })}`,
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
      virtualNetwork: "rg-net::vnet-e",
    }),
  },
  {
    type: "VirtualNetworkPeering",
    group: "Network",
    properties: ({ config, getId }) => ({
      name: "f-to-e",
      properties: {
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: false,
        allowGatewayTransit: false,
        useRemoteGateways: false,
        remoteVirtualNetwork: {
          id: `/subscriptions/${config.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-e`,
        },
      },
    }),
    dependencies: ({}) => ({
      resourceGroup: "rg-net",
      virtualNetwork: "rg-net::vnet-f",
    }),
  },
];
