package org.clusterd.cli;

public final class Main {
    public static void main(String[] args) {
    }
}
