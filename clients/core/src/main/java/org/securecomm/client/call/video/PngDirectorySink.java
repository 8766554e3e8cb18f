package org.securecomm.client.call.video;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * Records received video as one PNG a frame in a directory (what {@code --record DIR} writes), named by frame
 * number with ten digits ({@code 0000000042.png}) so that name order is frame order, gaps show lost frames, and an
 * {@link ImageSequenceSource} plays the recording back. Each file is written under a temporary name and then renamed,
 * so whoever watches the directory never reads half a PNG.
 */
public final class PngDirectorySink implements VideoSink {

    private final Path directory;
    private long written;

    /** Creates the directory where it does not exist yet. */
    public PngDirectorySink(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
    }

    /** The file a frame of this number is written to. */
    public Path fileOf(long frameNumber) {
        return directory.resolve(String.format("%010d.png", frameNumber));
    }

    /** How many frames were written so far. */
    public long written() {
        return written;
    }

    @Override
    public void write(VideoFrame frame) throws IOException {
        Path target = fileOf(frame.frameNumber());
        Path partial = directory.resolve(target.getFileName() + ".part");
        if (!ImageIO.write(frame.toImage(), "png", partial.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        written++;
    }
}
