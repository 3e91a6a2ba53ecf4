module.exports = () => ({
  location: "northeurope",
  subscriptionId: "0b7c2e1a-5d3f-4e8a-9c6b-1f2a3b4c5d6e",
});
