package org.securecomm.client.call.video;

import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;

/**
 * A video track from a Motion-JPEG file: complete JPEG images back to back, as {@code ffmpeg -i in.mp4 -f mjpeg
 * out.mjpeg} writes and as the {@link EncodedVideoFrame#data()} of a track would be if appended to a file. The
 * JDK's JPEG reader takes such a file as a sequence of images, so it is read one frame at a time, never whole.
 * Ends after the last complete image, or loops back to the first.
 */
public final class MjpegFileSource implements VideoSource {

    private final Path file;
    private final int frameRate;
    private final boolean loop;
    private FileImageInputStream input;
    private ImageReader reader;
    private int imageInFile;
    private long next;
    private boolean ended;

    /** @throws IOException when the file cannot be opened */
    public MjpegFileSource(Path file, int frameRate, boolean loop) throws IOException {
        if (frameRate < 1) {
            throw new IllegalArgumentException("frame rate must be positive: " + frameRate);
        }
        this.file = file;
        this.frameRate = frameRate;
        this.loop = loop;
        open();
    }

    @Override
    public int frameRate() {
        return frameRate;
    }

    /** @throws IOException when the file holds no image at all, or an image that does not decode */
    @Override
    public VideoFrame next() throws IOException {
        if (ended) {
            return null;
        }
        try {
            VideoFrame frame = VideoFrame.of(reader.read(imageInFile), next * 1000 / frameRate, next);
            imageInFile++;
            next++;
            return frame;
        } catch (IndexOutOfBoundsException endOfFile) {
            if (imageInFile == 0) {
                throw new IOException("no JPEG image in " + file);
            }
            if (!loop) {
                ended = true;
                return null;
            }
            close();
            open();
            return next();
        }
    }

    @Override
    public void close() throws IOException {
        reader.dispose();
        input.close();
    }

    private void open() throws IOException {
        input = new FileImageInputStream(file.toFile());
        reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        reader.setInput(input, true, true);
        imageInFile = 0;
    }
}
