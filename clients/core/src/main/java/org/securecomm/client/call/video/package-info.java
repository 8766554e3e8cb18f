/**
 * The video track of calls: sources, a codec in the JDK alone, and fragmentation to media datagrams.
 *
 * <pre>
 * send:    VideoSource --next()--> VideoFrame --VideoEncoder--> EncodedVideoFrame --VideoPacketizer--> fragments
 *          (the call engine encrypts each fragment with SFrame and sends it as a KIND_VIDEO media payload)
 * receive: fragments --VideoDepacketizer--> EncodedVideoFrame --VideoDecoder--> VideoFrame --> VideoSink
 * </pre>
 *
 * <ul>
 *   <li>Sources: {@link org.securecomm.client.call.video.TestPatternSource} (moving bars with the frame number in a
 *       code that survives JPEG), {@link org.securecomm.client.call.video.ImageSequenceSource} (a directory of
 *       PNG/JPEG files), {@link org.securecomm.client.call.video.MjpegFileSource} (a Motion-JPEG file, which ffmpeg
 *       makes from any video); a camera source is left to the GUI clients. Sinks:
 *       {@link org.securecomm.client.call.video.PngDirectorySink} (recording).</li>
 *   <li>Codec: Motion-JPEG through {@code javax.imageio}, every frame decodable on its own so that a lost datagram
 *       costs one frame and never corrupts the frames after it ({@link org.securecomm.client.call.video.VideoEncoder}
 *       says why). Default {@link org.securecomm.client.call.video.VideoFormat#DEFAULT}: 320x240, 15 fps, quality
 *       0.75. The wire format is plain baseline JPEG, so a client without {@code javax.imageio} (Android) can
 *       implement the same track with its platform's JPEG codec.</li>
 *   <li>Fragments: {@link org.securecomm.client.call.video.VideoPacketizer} (header and size limit) and
 *       {@link org.securecomm.client.call.video.VideoDepacketizer} (bounded reassembly that never throws).</li>
 *   <li>{@link org.securecomm.client.call.video.VideoQuality}: PSNR and the test pattern's frame number, for tests
 *       and the CLI.</li>
 * </ul>
 */
package org.securecomm.client.call.video;
