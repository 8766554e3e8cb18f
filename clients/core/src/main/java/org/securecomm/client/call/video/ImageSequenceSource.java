package org.securecomm.client.call.video;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A video track from a directory of PNG or JPEG files, one frame a file in name order (so {@code 0001.png},
 * {@code 0002.png}, ...; {@link PngDirectorySink} writes names that sort this way), ending after the last or looping
 * back to the first. Each file is read when its frame is due, so a long sequence does not sit in memory.
 */
public final class ImageSequenceSource implements VideoSource {

    private final List<Path> files;
    private final int frameRate;
    private final boolean loop;
    private long next;

    /**
     * @throws IOException when the directory cannot be listed or holds no PNG or JPEG file
     */
    public ImageSequenceSource(Path directory, int frameRate, boolean loop) throws IOException {
        if (frameRate < 1) {
            throw new IllegalArgumentException("frame rate must be positive: " + frameRate);
        }
        try (Stream<Path> entries = Files.list(directory)) {
            files = entries.filter(Files::isRegularFile).filter(ImageSequenceSource::isImage).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no .png, .jpg or .jpeg files in " + directory);
        }
        this.frameRate = frameRate;
        this.loop = loop;
    }

    /** The files of the sequence, in the order they are played. */
    public List<Path> files() {
        return files;
    }

    @Override
    public int frameRate() {
        return frameRate;
    }

    /** @throws IOException when a file is not a readable image */
    @Override
    public VideoFrame next() throws IOException {
        if (!loop && next >= files.size()) {
            return null;
        }
        Path file = files.get((int) (next % files.size()));
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException("not a readable image: " + file);
        }
        VideoFrame frame = VideoFrame.of(image, next * 1000 / frameRate, next);
        next++;
        return frame;
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }
}
