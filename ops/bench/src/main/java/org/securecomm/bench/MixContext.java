package org.securecomm.bench;

/**
 * What a {@link MixWorkload} gets from the mix: registration and connections to the node under test,
 * the shared client pool, the node's process (for resource figures), and the shared error counter
 * (errors by relay error code or client-side kind).
 */
record MixContext(Accounts accounts, ClientPool pool, NodeInfo node, ErrorCounter errors, int setupConcurrency) {
}
