package org.securecomm.jmh.mailbox;

import java.lang.reflect.Constructor;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.securecomm.jmh.RelayDefaults;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.metrics.RelayMetrics;

/**
 * A real {@link Mailbox} instance, so a benchmark can apply its own command and event handlers
 * to a state without a journal. Pekko builds the behaviour inside the entity's actor through a
 * private constructor (it needs the actor's context and timers): this builds it the same way in a
 * throwaway actor, by reflection rather than by widening the relay's class for a benchmark.
 */
final class MailboxHandlers {

    private MailboxHandlers() {
    }

    static Mailbox create(ActorSystem<Void> system, String entityId) throws Exception {
        Constructor<Mailbox> constructor = Mailbox.class.getDeclaredConstructor(String.class, ActorContext.class, TimerScheduler.class,
                ActorRef.class, Mailbox.Settings.class, Mailbox.Listener.class, Clock.class);
        constructor.setAccessible(true);
        Mailbox.Settings settings = RelayDefaults.settings().mailbox();
        CompletableFuture<Mailbox> created = new CompletableFuture<>();
        // The mailbox's timers and receive timeout tick into this actor, which ignores them. The
        // node's metrics listener is only called from effect callbacks, which a benchmark does not run.
        system.systemActorOf(Behaviors.<Mailbox.Command>setup(context -> Behaviors.withTimers(timers -> {
            try {
                created.complete(constructor.newInstance(entityId, context, timers, system.ignoreRef(), settings, new RelayMetrics(),
                        Clock.systemUTC()));
            } catch (ReflectiveOperationException | RuntimeException e) {
                created.completeExceptionally(e);
            }
            return Behaviors.ignore();
        })), "mailbox-" + entityId, Props.empty());
        return created.get(10, TimeUnit.SECONDS);
    }
}
