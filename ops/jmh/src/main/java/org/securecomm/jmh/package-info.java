/**
 * JMH microbenchmarks of the relay's and the client's hot paths, one package per thing measured.
 * Run by {@code bin/securecomm-jmh}; JMH subclasses {@code @State} classes, so those are not final.
 */
package org.securecomm.jmh;
