package org.securecomm.relay.account;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.ApiException;

/**
 * Production: emails the code through an SMTP server (STARTTLS and login when configured). Phone
 * numbers go to an email-to-SMS gateway when one is configured, and are refused otherwise.
 */
public final class SmtpCodeSender implements VerificationCodeSender {

    public record Settings(String host, int port, String username, String password, String from, boolean startTls,
                           String subject, String smsGatewayDomain, Duration timeout) {
    }

    private final Settings settings;
    private final Session session;
    private final Executor executor;

    public SmtpCodeSender(Settings settings, Executor executor) {
        this.settings = settings;
        this.executor = executor;
        Properties properties = new Properties();
        properties.put("mail.smtp.host", settings.host());
        properties.put("mail.smtp.port", Integer.toString(settings.port()));
        properties.put("mail.smtp.auth", Boolean.toString(!settings.username().isEmpty()));
        properties.put("mail.smtp.starttls.enable", Boolean.toString(settings.startTls()));
        properties.put("mail.smtp.starttls.required", Boolean.toString(settings.startTls()));
        String timeout = Long.toString(settings.timeout().toMillis());
        properties.put("mail.smtp.connectiontimeout", timeout);
        properties.put("mail.smtp.timeout", timeout);
        properties.put("mail.smtp.writetimeout", timeout);
        this.session = Session.getInstance(properties);
    }

    @Override
    public CompletionStage<Void> send(String normalizedIdentifier, String code) {
        String recipient = recipient(normalizedIdentifier);
        return CompletableFuture.runAsync(() -> {
            try {
                MimeMessage message = new MimeMessage(session);
                message.setFrom(new InternetAddress(settings.from()));
                message.setRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
                message.setSubject(settings.subject());
                message.setText("Your SecureComm verification code is " + code + "\n\nIf you did not ask for it, ignore this message.\n");
                if (settings.username().isEmpty()) {
                    Transport.send(message);
                } else {
                    Transport.send(message, settings.username(), settings.password());
                }
            } catch (MessagingException e) {
                // The identifier and the code stay out of the error: only the SMTP failure kind.
                throw new ApiException(ErrorCode.UNAVAILABLE, "the verification code could not be sent: " + e.getClass().getSimpleName());
            }
        }, executor);
    }

    private String recipient(String normalizedIdentifier) {
        if (!normalizedIdentifier.startsWith("+")) {
            return normalizedIdentifier;
        }
        if (settings.smsGatewayDomain().isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "this relay verifies email addresses only");
        }
        return normalizedIdentifier.substring(1) + "@" + settings.smsGatewayDomain();
    }
}
