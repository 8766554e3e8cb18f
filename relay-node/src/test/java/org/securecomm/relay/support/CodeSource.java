package org.securecomm.relay.support;

/** Where a test reads the verification code a person would have received. */
public interface CodeSource {

    String codeFor(String identifier);
}
