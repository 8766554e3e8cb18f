package org.securecomm.ops.turn;

/** A JVM that starts coturn, prints its pid and waits to be killed (CoturnServerTest's SIGKILL case). */
public final class CoturnChildMain {

    private CoturnChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // A given directory: a JVM killed with SIGKILL cannot delete a temporary one.
        CoturnServer server = CoturnServer.start(CoturnServer.Options.defaults().withWorkDir(java.nio.file.Path.of(args[0])));
        System.out.println("turnserver-pid " + server.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
