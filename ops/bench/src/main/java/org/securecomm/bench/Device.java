package org.securecomm.bench;

/** A registered device: what it needs to authenticate, and the address others send to. */
record Device(String accountId, String address, int deviceId, String password, int registrationId) {
}
