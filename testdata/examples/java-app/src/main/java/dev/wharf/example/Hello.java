package dev.wharf.example;

/** The java-app example's program: greets whoever is named in its arguments, from inside the image. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        String who = args.length == 0 ? "wharf" : String.join(" ", args);
        System.out.println("Hello, " + who + ", from Java " + Runtime.version().feature() + " in a wharf image");
    }
}
