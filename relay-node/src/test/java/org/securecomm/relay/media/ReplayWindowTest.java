package org.securecomm.relay.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    private final ReplayWindow window = new ReplayWindow();

    @Test
    void acceptsEachNumberOnceWithinTheWindow() {
        assertEquals(ReplayWindow.Verdict.NEWEST, window.check(1000));
        assertEquals(ReplayWindow.Verdict.REPLAYED, window.check(1000));
        assertEquals(ReplayWindow.Verdict.IN_WINDOW, window.check(990));   // late, not seen
        assertEquals(ReplayWindow.Verdict.REPLAYED, window.check(990));
        assertEquals(ReplayWindow.Verdict.IN_WINDOW, window.check(1000 - 127)); // the oldest still in the window
        assertEquals(ReplayWindow.Verdict.REPLAYED, window.check(1000 - 128)); // too old
        assertEquals(ReplayWindow.Verdict.NEWEST, window.check(1070));    // moves by 70: bits cross the word boundary
        assertEquals(ReplayWindow.Verdict.REPLAYED, window.check(1000));
        assertEquals(ReplayWindow.Verdict.REPLAYED, window.check(990));
        assertEquals(ReplayWindow.Verdict.IN_WINDOW, window.check(995));
        assertEquals(ReplayWindow.Verdict.NEWEST, window.check(1071));    // moves by 1
        assertEquals(ReplayWindow.Verdict.REPLAYED, window.check(1070));
        assertEquals(ReplayWindow.Verdict.REPLAYED, window.check(995));
        assertEquals(ReplayWindow.Verdict.NEWEST, window.check(5000));    // a jump clears the window
        assertEquals(ReplayWindow.Verdict.IN_WINDOW, window.check(4999));
        assertEquals(ReplayWindow.Verdict.REPLAYED, window.check(1071));
        assertEquals(ReplayWindow.Verdict.NEWEST, window.check(0xFFFF_FFFFL));
    }
}
