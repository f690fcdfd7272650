package dev.wharf.it;

public final class Greeter {
    public static void main(String[] args) {
        System.out.println("Greetings from " + Greeter.class.getPackage().getName() + ", args " + args.length);
    }
}
