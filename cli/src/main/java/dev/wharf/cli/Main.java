package dev.wharf.cli;

/** Entry point of the {@code wharf} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("wharf");
    }
}
