package app;
import java.sql.Connection;
import java.net.http.HttpClient;
public class Main { public static void main(String[] a) { System.out.println(java.logging.Level.INFO); } }
