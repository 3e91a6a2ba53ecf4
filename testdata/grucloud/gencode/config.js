const pkg = require("./package.json");
module.exports = ({ stage }) => ({
  projectName: pkg.name,
  location: "westeurope",
  subscriptionId: "6a1e4f3c-2b7d-4c1e-9a0f-3d5b8c7e1f20",
  spokePrefix: "10.1.0.0/16",
});
