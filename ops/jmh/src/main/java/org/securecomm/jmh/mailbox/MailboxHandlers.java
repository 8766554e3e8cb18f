package org.securecomm.jmh.mailbox;

import java.lang.reflect.Constructor;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.securecomm.relay.mailbox.Mailbox;

/**
 * A real {@link Mailbox} instance, so a benchmark can apply its own command and event handlers
 * to a state without a journal. Pekko builds the behaviour inside the entity's actor through a
 * private constructor (it needs the actor's context and timers): this builds it the same way in a
 * throwaway actor, by reflection rather than by widening the relay's class for a benchmark.
 */
final class MailboxHandlers {

    /** The relay's defaults (relay-node reference.conf, securecomm.mailbox). */
    static final Mailbox.Settings SETTINGS = new Mailbox.Settings(10_000, 8L * 1024 * 1024, Duration.ofDays(30), 256,
            Duration.ofMinutes(2), Duration.ofHours(1));

    private MailboxHandlers() {
    }

    static Mailbox create(ActorSystem<Void> system, String entityId) throws Exception {
        Constructor<Mailbox> constructor = Mailbox.class.getDeclaredConstructor(String.class, ActorContext.class, TimerScheduler.class,
                ActorRef.class, Mailbox.Settings.class, Mailbox.Listener.class, Clock.class);
        constructor.setAccessible(true);
        CompletableFuture<Mailbox> created = new CompletableFuture<>();
        // The mailbox's timers and receive timeout tick into this actor, which ignores them.
        system.systemActorOf(Behaviors.<Mailbox.Command>setup(context -> Behaviors.withTimers(timers -> {
            try {
                created.complete(constructor.newInstance(entityId, context, timers, system.ignoreRef(), SETTINGS, new SilentListener(),
                        Clock.systemUTC()));
            } catch (ReflectiveOperationException | RuntimeException e) {
                created.completeExceptionally(e);
            }
            return Behaviors.ignore();
        })), "mailbox-" + entityId, Props.empty());
        return created.get(10, TimeUnit.SECONDS);
    }

    /** Metrics are reported in the effect callbacks, which a benchmark does not run. */
    private static final class SilentListener implements Mailbox.Listener {
        @Override
        public void enqueued(int bytes) {
        }

        @Override
        public void pushed() {
        }

        @Override
        public void acknowledged(int count) {
        }

        @Override
        public void expired(int count) {
        }
    }
}
