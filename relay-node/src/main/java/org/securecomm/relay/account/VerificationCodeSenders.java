package org.securecomm.relay.account;

import com.typesafe.config.Config;
import java.util.concurrent.Executor;

/** Builds the configured sender ({@code securecomm.verification.sender}). */
public final class VerificationCodeSenders {

    private VerificationCodeSenders() {
    }

    public static VerificationCodeSender fromConfig(Config verification, Executor executor) {
        String kind = verification.getString("sender");
        switch (kind) {
            case "console":
                return new ConsoleCodeSender(System.out);
            case "smtp":
                Config smtp = verification.getConfig("smtp");
                return new SmtpCodeSender(new SmtpCodeSender.Settings(smtp.getString("host"), smtp.getInt("port"),
                        smtp.getString("username"), smtp.getString("password"), smtp.getString("from"),
                        smtp.getBoolean("starttls"), smtp.getString("subject"), smtp.getString("sms-gateway-domain"),
                        smtp.getDuration("timeout")), executor);
            default:
                throw new IllegalArgumentException("securecomm.verification.sender must be console or smtp, not " + kind);
        }
    }
}
