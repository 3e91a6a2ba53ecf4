// The hub's VPN gateway, in a stack of its own; its GatewaySubnet is managed outside GruCloud.
exports.createResources = () => [
  {
    type: "VirtualNetworkGateway", group: "Network",
    properties: ({ config, getId }) => ({
      name: "vpngw", location: config.location,
      properties: {
        ipConfigurations: [{ name: "default", properties: { privateIPAllocationMethod: "Dynamic",
          subnet: { id: `${getId({ type: "Subnet", group: "Network", name: "rg-hub::vnet-hub::GatewaySubnet" })}` } } }],
        gatewayType: "Vpn", vpnType: "RouteBased", sku: { name: "VpnGw1", tier: "VpnGw1" },
      },
    }),
    dependencies: ({}) => ({ resourceGroup: "rg-hub", subnets: ["rg-hub::vnet-hub::GatewaySubnet"] }),
  },
];
