/**
 * Media building blocks of end-to-end encrypted calls.
 *
 * <ul>
 *   <li>SFrame (RFC 9605) per-sender frame encryption: {@link org.securecomm.client.call.media.SFrameCipherSuite},
 *       {@link org.securecomm.client.call.media.SFrameHeader}, {@link org.securecomm.client.call.media.SFrameKey},
 *       the sender context {@link org.securecomm.client.call.media.SFrameSender} (current key, rotation, counter)
 *       and the receiver context {@link org.securecomm.client.call.media.SFrameReceiver} (keys by KID, grace period,
 *       replay window, unknown-KID reporting for resync).</li>
 *   <li>Audio at 48 kHz mono in 20 ms frames ({@link org.securecomm.client.call.media.CallAudio}): Opus through
 *       Concentus, a {@link org.securecomm.client.call.media.JitterBuffer} with loss concealment, WAV and sine
 *       sources/sinks, and {@link org.securecomm.client.call.media.AudioCorrelation} to compare signals.</li>
 * </ul>
 */
package org.securecomm.client.call.media;
