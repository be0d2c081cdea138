package org.clusterd.mirror;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/** The Quartz job of one mirror set: one scheduled pass. Never runs twice at once for a set. */
@DisallowConcurrentExecution
public final class MirrorJob implements Job {
    static final String SERVICE = "mirrorService";
    static final String SET = "set";

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            MirrorService service = (MirrorService) context.getScheduler().getContext().get(SERVICE);
            service.scheduledPass(context.getMergedJobDataMap().getString(SET));
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
    }
}
