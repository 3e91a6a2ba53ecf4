module.exports = () => ({
  location: "westeurope",
  subscriptionId: "11111111-1111-1111-1111-111111111111",
});
