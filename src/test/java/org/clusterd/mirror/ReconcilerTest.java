package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.clusterd.config.MirrorSetConfig.Policy;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The three-way planner, path by path: every combination of base, source and target. */
class ReconcilerTest {
    static final Reconciler.Options COPY = Reconciler.Options.copy();

    static FileEntry f(String path, String content) {
        return FileEntry.file(path, content.length(), 1000L * content.hashCode(), 0644, Hashing.of(content.getBytes()));
    }

    static FileEntry d(String path) {
        return FileEntry.dir(path, 0755);
    }

    static Action decide(FileEntry b, FileEntry s, FileEntry t) {
        return Reconciler.decide(b, s, t, COPY);
    }

    @Nested
    class OnlyOnTheOwner {
        @Test
        void newOnTheOwnerIsCreated() {
            assertThat(decide(null, f("a", "x"), null)).isEqualTo(new Action.Create(f("a", "x")));
        }

        @Test
        void deletedOnThePeerIsRestoredFromTheOwner() {
            assertThat(decide(f("a", "x"), f("a", "x"), null)).isInstanceOf(Action.Create.class);
        }

        @Test
        void aSymlinkLeadingOutOfTheSetIsSkipped() {
            assertThat(decide(null, FileEntry.symlink("l", "../../etc/passwd"), null)).isInstanceOf(Action.Skip.class);
            assertThat(decide(null, FileEntry.symlink("l", "/etc/passwd"), null)).isInstanceOf(Action.Skip.class);
            assertThat(decide(null, FileEntry.symlink("d/l", "../x"), null)).isInstanceOf(Action.Create.class);
        }
    }

    @Nested
    class OnlyOnThePeer {
        @Test
        void deletionProvenByTheBaseIsCarriedOut() {
            assertThat(decide(f("a", "x"), null, f("a", "x"))).isEqualTo(new Action.Delete(f("a", "x")));
        }

        @Test
        void mereAbsenceNeverDeletes() {
            Action a = decide(null, null, f("a", "x"));
            assertThat(a).isInstanceOf(Action.Keep.class);
            assertThat(((Action.Keep) a).conflict()).isFalse();
            assertThat(((Action.Keep) a).newBase()).isNull();
        }

        @Test
        void deletedOnTheOwnerButChangedOnThePeerIsKeptAsAConflict() {
            Action a = decide(f("a", "x"), null, f("a", "y"));
            assertThat(a).isInstanceOf(Action.Keep.class);
            assertThat(((Action.Keep) a).conflict()).isTrue();
        }

        @Test
        void noDeletionAfterAReadErrorButTheProofIsKept() {
            Action a = Reconciler.decide(f("a", "x"), null, f("a", "x"), COPY.withDeletesAllowed(false));
            assertThat(a).isInstanceOf(Action.Keep.class);
            assertThat(((Action.Keep) a).newBase()).isEqualTo(f("a", "x"));
        }

        @Test
        void aDirectoryDeletedOnTheOwnerIsDeleted() {
            assertThat(decide(d("dir"), null, d("dir"))).isInstanceOf(Action.Delete.class);
        }
    }

    @Nested
    class OnBothSides {
        @Test
        void equalContentIsInSync() {
            assertThat(decide(f("a", "x"), f("a", "x"), f("a", "x"))).isInstanceOf(Action.InSync.class);
            assertThat(decide(null, f("a", "x"), f("a", "x"))).isInstanceOf(Action.InSync.class);
        }

        @Test
        void onlyMetadataDifferingIsSetMeta() {
            FileEntry s = f("a", "x");
            FileEntry t = new FileEntry("a", EntryType.FILE, s.size(), s.mtimeNs(), 0600, 0, 0, null, s.hash(), -1, null);
            assertThat(decide(null, s, t)).isInstanceOf(Action.SetMeta.class);
            assertThat(decide(null, s, s.withOwner(12, 12))).isInstanceOf(Action.SetMeta.class);
            Reconciler.Options noOwners = new Reconciler.Options(Policy.COPY, false, true, false, Map.of());
            assertThat(Reconciler.decide(null, s, s.withOwner(12, 12), noOwners)).isInstanceOf(Action.InSync.class);
        }

        @Test
        void changedOnlyOnTheOwnerReplacesAndTrashesTheOld() {
            Action a = decide(f("a", "x"), f("a", "yy"), f("a", "x"));
            assertThat(a).isEqualTo(new Action.Replace(f("a", "yy"), f("a", "x"), Action.Transfer.FULL, Action.Displace.TRASH));
        }

        @Test
        void changedOnBothKeepsThePeersAsConflictCopy() {
            Action a = decide(f("a", "x"), f("a", "yy"), f("a", "zzz"));
            assertThat(a).isEqualTo(new Action.Replace(f("a", "yy"), f("a", "zzz"), Action.Transfer.FULL,
                    Action.Displace.CONFLICT_COPY));
        }

        @Test
        void changedOnlyOnThePeerIsAlsoAConflictSoTheOwnerWinsWithoutLosingIt() {
            Action a = decide(f("a", "x"), f("a", "x"), f("a", "zzz"));
            assertThat(((Action.Replace) a).displace()).isEqualTo(Action.Displace.CONFLICT_COPY);
        }

        @Test
        void withoutABaseEveryDifferenceIsAConflict() {
            Action a = decide(null, f("a", "yy"), f("a", "zzz"));
            assertThat(((Action.Replace) a).displace()).isEqualTo(Action.Displace.CONFLICT_COPY);
        }

        @Test
        void aConflictCopyInConflictIsNeverCopiedAgain() {
            String name = "r.clusterd-conflict-20261126T101500Z-b.doc";
            Action a = decide(f(name, "x"), f(name, "yy"), f(name, "zzz"));
            assertThat(((Action.Replace) a).displace()).isEqualTo(Action.Displace.TRASH);
        }

        @Test
        void aTargetThatIsAPrefixOfTheSourceReceivesOnlyTheTail() {
            FileEntry b = f("m", "hello");
            FileEntry s = f("m", "hello world").withPrefix(5, b.hash());
            Action a = decide(b, s, b);
            assertThat(((Action.Replace) a).transfer()).isEqualTo(Action.Transfer.APPEND);
        }

        @Test
        void aPrefixWhoseHashDiffersIsNoAppend() {
            FileEntry b = f("m", "hello");
            FileEntry s = f("m", "jello world").withPrefix(5, Hashing.of("jello".getBytes()));
            assertThat(((Action.Replace) decide(b, s, b)).transfer()).isEqualTo(Action.Transfer.FULL);
        }

        @Test
        void largeFilesMoveAsDeltas() {
            FileEntry b = FileEntry.file("big", Reconciler.DELTA_MIN, 1, 0644, "aa");
            FileEntry s = FileEntry.file("big", Reconciler.DELTA_MIN, 2, 0644, "bb");
            assertThat(((Action.Replace) decide(b, s, b)).transfer()).isEqualTo(Action.Transfer.DELTA);
        }

        @Test
        void aFileReplacingAPeerDirectoryMovesTheDirectoryAside() {
            assertThat(decide(null, f("x", "1"), d("x")))
                    .isEqualTo(new Action.Replace(f("x", "1"), d("x"), Action.Transfer.FULL, Action.Displace.CONFLICT_COPY));
            assertThat(decide(d("x"), f("x", "1"), d("x")))
                    .isEqualTo(new Action.Replace(f("x", "1"), d("x"), Action.Transfer.FULL, Action.Displace.CONFLICT_COPY));
        }

        @Test
        void aDirectoryReplacingAPeerFileMovesTheFileAside() {
            Action a = decide(f("x", "1"), d("x"), f("x", "1"));
            assertThat(a).isEqualTo(new Action.Replace(d("x"), f("x", "1"), Action.Transfer.FULL, Action.Displace.TRASH));
            a = decide(null, d("x"), f("x", "1"));
            assertThat(((Action.Replace) a).displace()).isEqualTo(Action.Displace.CONFLICT_COPY);
        }

        @Test
        void sameSizeAndTimeWithoutHashesIsEqualUnlessFullChecksum() {
            FileEntry s = FileEntry.file("a", 3, 7, 0644, null);
            FileEntry t = FileEntry.file("a", 3, 7, 0644, null);
            assertThat(decide(null, s, t)).isInstanceOf(Action.InSync.class);
            assertThat(Reconciler.decide(null, s, t, COPY.withFullChecksum(true))).isInstanceOf(Action.Replace.class);
        }

        @Test
        void symlinksCompareByTarget() {
            assertThat(decide(null, FileEntry.symlink("l", "a"), FileEntry.symlink("l", "a"))).isInstanceOf(Action.InSync.class);
            assertThat(decide(FileEntry.symlink("l", "a"), FileEntry.symlink("l", "b"), FileEntry.symlink("l", "a")))
                    .isInstanceOf(Action.Replace.class);
        }
    }

    @Nested
    class Mbox {
        final Reconciler.Options mbox = COPY.withPolicy(Policy.MBOX);
        final FileEntry base = f("spool/u", "From a\n\n");

        @Test
        void appendedOnBothSidesMergesTheTails() {
            FileEntry s = f("spool/u", "From a\n\nFrom b\n\n").withPrefix(base.size(), base.hash());
            FileEntry t = f("spool/u", "From a\n\nFrom c\n\n").withPrefix(base.size(), base.hash());
            assertThat(Reconciler.decide(base, s, t, mbox)).isEqualTo(new Action.MergeMbox(base, s, t, true));
        }

        @Test
        void rewrittenOnOneSideMergesMessageByMessage() {
            FileEntry s = f("spool/u", "From x\n\n");
            FileEntry t = f("spool/u", "From a\n\nFrom c\n\n").withPrefix(base.size(), base.hash());
            assertThat(Reconciler.decide(base, s, t, mbox)).isEqualTo(new Action.MergeMbox(base, s, t, false));
            assertThat(Reconciler.decide(null, s, t, mbox)).isEqualTo(new Action.MergeMbox(null, s, t, false));
        }

        @Test
        void onlyThePeerAppendedKeepsThePeersSpool() {
            FileEntry t = f("spool/u", "From a\n\nFrom c\n\n").withPrefix(base.size(), base.hash());
            Action a = Reconciler.decide(base, base, t, mbox);
            assertThat(a).isInstanceOf(Action.Keep.class);
            assertThat(((Action.Keep) a).newBase()).isEqualTo(base);
        }

        @Test
        void onlyTheOwnerAppendedIsAPlainAppend() {
            FileEntry s = f("spool/u", "From a\n\nFrom b\n\n").withPrefix(base.size(), base.hash());
            assertThat(((Action.Replace) Reconciler.decide(base, s, base, mbox)).transfer()).isEqualTo(Action.Transfer.APPEND);
        }
    }

    @Nested
    class MaildirPolicy {
        @Test
        void aMessageRenamedOnTheOwnerIsNotDuplicatedOnThePeer() {
            FileEntry sCur = f("INBOX/cur/123.host:2,S", "msg");
            FileEntry tNew = f("INBOX/new/123.host", "msg");
            Reconciler.Options o = COPY.withPolicy(Policy.MAILDIR)
                    .withSourceMessages(Map.of(Maildir.key(sCur.path()), sCur));
            assertThat(Reconciler.decide(null, null, tNew, o)).isEqualTo(new Action.Delete(tNew, true));
        }

        @Test
        void aMessageOnlyOnThePeerIsKept() {
            FileEntry tNew = f("INBOX/new/999.host", "msg");
            Reconciler.Options o = COPY.withPolicy(Policy.MAILDIR);
            assertThat(Reconciler.decide(null, null, tNew, o)).isInstanceOf(Action.Keep.class);
        }

        @Test
        void keysIgnoreFlagsAndSubdirectory() {
            assertThat(Maildir.key("a/cur/1.x:2,RS")).isEqualTo("a/1.x");
            assertThat(Maildir.key("a/new/1.x")).isEqualTo("a/1.x");
            assertThat(Maildir.key("cur/1.x:2,")).isEqualTo("/1.x");
            assertThat(Maildir.key("a/tmp/1.x")).isNull();
            assertThat(Maildir.key("a/b")).isNull();
        }
    }

    @Nested
    class WholePlans {
        List<Action> plan(List<FileEntry> b, List<FileEntry> s, List<FileEntry> t, Reconciler.Options o,
                          Reconciler.Summary[] out) throws Exception {
            List<Action> actions = new ArrayList<>();
            out[0] = Reconciler.plan(EntryIterator.of(b), EntryIterator.of(s), EntryIterator.of(t), o, (a, base) -> actions.add(a));
            return actions;
        }

        @Test
        void walksTheUnionOfPathsInOrder() throws Exception {
            Reconciler.Summary[] sum = new Reconciler.Summary[1];
            List<Action> actions = plan(List.of(f("a", "1"), f("c", "3")), List.of(f("a", "1"), f("b", "2")),
                    List.of(f("a", "1"), f("c", "3"), f("d", "4")), COPY, sum);
            assertThat(actions).extracting(Action::path).containsExactly("a", "b", "c", "d");
            assertThat(actions).extracting(a -> a.getClass().getSimpleName())
                    .containsExactly("InSync", "Create", "Delete", "Keep");
            assertThat(sum[0].baseCount()).isEqualTo(2);
            assertThat(sum[0].deletes()).isEqualTo(1);
            assertThat(sum[0].creates()).isEqualTo(1);
        }

        @Test
        void anEmptiedSourceIsAMassDeletion() throws Exception {
            List<FileEntry> files = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                files.add(f(String.format("f%03d", i), "x" + i));
            }
            Reconciler.Summary[] sum = new Reconciler.Summary[1];
            plan(files, List.of(), files, COPY, sum);
            assertThat(sum[0].deletes()).isEqualTo(100);
            assertThat(sum[0].massDelete(0.5)).isTrue();
            plan(files, files.subList(0, 60), files, COPY, sum);
            assertThat(sum[0].massDelete(0.5)).isFalse();
        }

        @Test
        void aFewDeletesInATinySetAreNoMassDeletion() throws Exception {
            Reconciler.Summary[] sum = new Reconciler.Summary[1];
            plan(List.of(f("a", "1"), f("b", "2")), List.of(), List.of(f("a", "1"), f("b", "2")), COPY, sum);
            assertThat(sum[0].deletes()).isEqualTo(2);
            assertThat(sum[0].massDelete(0.5)).isFalse();
        }

        @Test
        void aLostBaseDeletesNothingAndMakesEveryDifferenceAConflict() throws Exception {
            Reconciler.Summary[] sum = new Reconciler.Summary[1];
            List<Action> actions = plan(List.of(), List.of(f("a", "1"), f("b", "new")),
                    List.of(f("b", "old"), f("c", "3")), COPY, sum);
            assertThat(sum[0].deletes()).isZero();
            assertThat(sum[0].conflicts()).isEqualTo(1);
            assertThat(actions.get(2)).isInstanceOf(Action.Keep.class);
        }

        @Test
        void pathOrderPutsADirectoryBeforeItsChildrenAndTheChildrenBeforeSiblingsWithPunctuation() {
            List<String> paths = new ArrayList<>(List.of("a-b", "a/x", "a", "a.txt", "a/x/y", "b", "a/z"));
            paths.sort(PathOrder.COMPARATOR);
            assertThat(paths).containsExactly("a", "a/x", "a/x/y", "a/z", "a-b", "a.txt", "b");
        }
    }
}
