package org.securecomm.client.call.video;

import java.io.IOException;

/**
 * Prints what the Motion-JPEG codec costs on this machine: encode and decode time per frame, frame size and PSNR of
 * the test pattern at a few qualities. A program, not a test: {@code java -cp ... VideoCodecBench [frames]}.
 */
public final class VideoCodecBench {

    private VideoCodecBench() {
    }

    public static void main(String[] args) throws IOException {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        for (float quality : new float[] {0.5f, 0.75f, 0.9f}) {
            VideoFormat format = new VideoFormat(320, 240, 15, quality);
            TestPatternSource pattern = new TestPatternSource(format, -1);
            try (VideoEncoder encoder = new VideoEncoder(format); VideoDecoder decoder = new VideoDecoder()) {
                for (int i = 0; i < frames / 2; i++) { // warm-up for the JIT
                    decoder.decode(encoder.encode(pattern.frame(i)));
                }
                long encodeNanos = 0;
                long decodeNanos = 0;
                long bytes = 0;
                double psnr = 0;
                for (int i = 0; i < frames; i++) {
                    VideoFrame sent = pattern.frame(i);
                    long start = System.nanoTime();
                    EncodedVideoFrame encoded = encoder.encode(sent);
                    long encoded1 = System.nanoTime();
                    VideoFrame received = decoder.decode(encoded).orElseThrow();
                    decodeNanos += System.nanoTime() - encoded1;
                    encodeNanos += encoded1 - start;
                    bytes += encoded.data().length;
                    psnr += VideoQuality.psnr(sent, received);
                }
                System.out.printf("320x240 q=%.2f: encode %.2f ms, decode %.2f ms, %d bytes/frame (%.0f kbit/s at 15 fps),"
                                + " PSNR %.1f dB%n", quality, encodeNanos / 1e6 / frames, decodeNanos / 1e6 / frames,
                        bytes / frames, bytes * 8.0 * 15 / frames / 1000, psnr / frames);
            }
        }
    }
}
